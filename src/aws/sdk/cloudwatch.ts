/** @aws-sdk/client-cloudwatch, loaded with require: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-cloudwatch";
import { loadSdk } from "./load.js";

export type * from "@aws-sdk/client-cloudwatch";
export const { CloudWatchClient, ListMetricsCommand, GetMetricDataCommand, DescribeAlarmsCommand, PutMetricDataCommand, PutMetricAlarmCommand, DescribeAlarmHistoryCommand, DeleteAlarmsCommand } = loadSdk<typeof Sdk>("@aws-sdk/client-cloudwatch");
/** The client class is a type as well as a value. */
export type CloudWatchClient = Sdk.CloudWatchClient;
