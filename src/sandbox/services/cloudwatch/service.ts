/**
 * The sandbox's CloudWatch: the metric store (the MetricSink the sandbox's services publish into),
 * the alarms evaluated on the sandbox's clock, and the API as the pinned SDK, the AWS CLI and boto3
 * speak it: awsJson1_0, query-compatible (X-Amz-Target GraniteServiceVersion20100801.<Op>).
 */
import type { JsonService } from "../../protocol/dispatcher.js";
import type { Timers } from "../../timers.js";
import { Alarms, type AlarmsEnvironment } from "./alarms.js";
import { AlarmsApi } from "./alarms-api.js";
import { errorShape } from "./errors.js";
import { MetricsApi } from "./metrics-api.js";
import { MetricStore } from "./store.js";

export class CloudWatchService {
  readonly alarms: Alarms;
  readonly json: JsonService;

  constructor(
    env: AlarmsEnvironment,
    timers: Timers,
    readonly metrics: MetricStore,
  ) {
    this.alarms = new Alarms(env, timers, metrics);
    const m = new MetricsApi(metrics, () => env.now());
    const a = new AlarmsApi(this.alarms);
    this.json = {
      name: "cloudwatch",
      targetPrefix: "GraniteServiceVersion20100801",
      protocol: { contentType: "application/x-amz-json-1.0", queryCompatible: { namespace: "com.amazonaws.cloudwatch", errorShape } },
      operations: {
        PutMetricData: (i) => m.putMetricData(i),
        GetMetricData: (i) => m.getMetricData(i),
        GetMetricStatistics: (i) => m.getMetricStatistics(i),
        ListMetrics: (i) => m.listMetrics(i),
        PutMetricAlarm: (i) => a.putMetricAlarm(i),
        DescribeAlarms: (i) => a.describeAlarms(i),
        SetAlarmState: (i) => a.setAlarmState(i),
        DeleteAlarms: (i) => a.deleteAlarms(i),
        DescribeAlarmHistory: (i) => a.describeAlarmHistory(i),
      },
    };
  }
}
