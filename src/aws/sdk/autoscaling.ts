/** @aws-sdk/client-auto-scaling, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-auto-scaling";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-auto-scaling";
export const { AutoScalingClient, CompleteLifecycleActionCommand, RecordLifecycleActionHeartbeatCommand, DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand, DescribeLifecycleHooksCommand, SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand, paginateDescribeAutoScalingGroups } = lazySdk<typeof Sdk>("@aws-sdk/client-auto-scaling");
/** The client class is a type as well as a value. */
export type AutoScalingClient = Sdk.AutoScalingClient;
