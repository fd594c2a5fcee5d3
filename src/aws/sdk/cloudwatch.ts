/** @aws-sdk/client-cloudwatch, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-cloudwatch";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-cloudwatch";
export const { CloudWatchClient, ListMetricsCommand, GetMetricDataCommand, DescribeAlarmsCommand, PutMetricDataCommand, PutMetricAlarmCommand, DescribeAlarmHistoryCommand, DeleteAlarmsCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-cloudwatch");
/** The client class is a type as well as a value. */
export type CloudWatchClient = Sdk.CloudWatchClient;
