/**
 * The permissions FIS's experiment role needs for each action gameday compiles to, as the AWS FIS
 * Actions reference lists them under "Permissions" for each action
 * (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html), scoped to the
 * resources a fault's template names where IAM allows it (resource ARNs, `aws:ResourceTag/...` and
 * `ecs:cluster` conditions; https://docs.aws.amazon.com/service-authorization/latest/reference/).
 * Actions that IAM cannot scope to a resource (Describe/List calls FIS makes to resolve targets)
 * get `*`, as in AWS's own managed policies (AWSFaultInjectionSimulatorEC2Access, ...ECSAccess,
 * ...NetworkAccess).
 */
import type { Permission } from "./permission.js";

/** aws:ec2:send-spot-instance-interruptions: ec2:SendSpotInstanceInterruptions, ec2:DescribeInstances. */
export function spotInterruptionPermissions(o: { region: string; accountId: string; instanceArns?: string[]; tags?: Record<string, string> }): Permission[] {
  const tagged = o.tags && Object.keys(o.tags).length > 0 ? { StringEquals: Object.fromEntries(Object.entries(o.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) } : undefined;
  return [
    {
      why: "FIS sends spot interruptions",
      actions: ["ec2:SendSpotInstanceInterruptions"],
      resources: o.instanceArns ?? [`arn:aws:ec2:${o.region}:${o.accountId}:instance/*`],
      ...(tagged && !o.instanceArns ? { conditions: tagged } : {}),
    },
    { why: "FIS resolves spot instance targets", actions: ["ec2:DescribeInstances"], resources: ["*"] },
  ];
}

/** The cluster ARN an `ecs:cluster` condition compares with. */
export function clusterArn(region: string, accountId: string, cluster: string): string {
  return cluster.startsWith("arn:") ? cluster : `arn:aws:ecs:${region}:${accountId}:cluster/${cluster}`;
}

/** aws:ecs:stop-task: ecs:DescribeTasks, ecs:ListTasks, ecs:StopTask. */
export function stopTaskPermissions(o: { region: string; accountId: string; cluster: string }): Permission[] {
  const inCluster = { ArnEquals: { "ecs:cluster": clusterArn(o.region, o.accountId, o.cluster) } };
  return [
    { why: "FIS stops tasks of the cluster", actions: ["ecs:StopTask", "ecs:DescribeTasks"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:task/*`], conditions: inCluster },
    { why: "FIS lists the cluster tasks", actions: ["ecs:ListTasks"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:container-instance/*`], conditions: inCluster },
  ];
}

/** aws:ecs:drain-container-instances: ecs:DescribeClusters, ecs:UpdateContainerInstancesState, ecs:ListContainerInstances. */
export function drainPermissions(o: { region: string; accountId: string; cluster: string }): Permission[] {
  const arn = clusterArn(o.region, o.accountId, o.cluster);
  return [
    { why: "FIS reads the cluster to drain", actions: ["ecs:DescribeClusters", "ecs:ListContainerInstances"], resources: [arn] },
    {
      why: "FIS drains the cluster's container instances",
      actions: ["ecs:UpdateContainerInstancesState"],
      resources: [`arn:aws:ecs:${o.region}:${o.accountId}:container-instance/*`],
      conditions: { ArnEquals: { "ecs:cluster": arn } },
    },
  ];
}

/** aws:kinesis:stream-provisioned-throughput-exception: kinesis:InjectApiError on the stream. */
export function kinesisStreamErrorPermissions(o: { streamArns: string[] }): Permission[] {
  return [{ why: "FIS injects Kinesis stream errors", actions: ["kinesis:InjectApiError"], resources: o.streamArns }];
}

const INJECT_API: Record<string, string> = {
  "aws:fis:inject-api-throttle-error": "fis:InjectApiThrottleError",
  "aws:fis:inject-api-unavailable-error": "fis:InjectApiUnavailableError",
  "aws:fis:inject-api-internal-error": "fis:InjectApiInternalError",
};

/**
 * aws:fis:inject-api-*-error on roles: fis:InjectApi*Error on the experiment (its `fis:Service`
 * condition key pins the service), and iam:ListRoles to resolve the role targets.
 */
export function injectApiPermissions(o: { actionId: string; service: string; region: string; accountId: string }): Permission[] {
  const action = INJECT_API[o.actionId];
  if (!action) throw new Error(`internal: ${o.actionId} is not one of FIS's inject-api actions`);
  return [
    { why: `FIS injects ${o.service} API errors`, actions: [action], resources: [`arn:aws:fis:${o.region}:${o.accountId}:experiment/*`], conditions: { StringEquals: { "fis:Service": o.service } } },
    { why: "FIS resolves role targets", actions: ["iam:ListRoles"], resources: ["*"] },
  ];
}

/**
 * aws:network:disrupt-connectivity: FIS clones the subnets' network ACL (tagged managedByFIS=true),
 * swaps it in, and deletes it afterwards.
 */
export function disruptConnectivityPermissions(o: { region: string; accountId: string; subnetArns: string[] }): Permission[] {
  const managed = { StringEquals: { "aws:ResourceTag/managedByFIS": "true" } };
  return [
    {
      why: "FIS reads the subnets network setup",
      actions: ["ec2:DescribeManagedPrefixLists", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:GetManagedPrefixListEntries"],
      resources: ["*"],
    },
    {
      why: "FIS creates its network ACL",
      actions: ["ec2:CreateNetworkAcl", "ec2:CreateTags"],
      resources: [`arn:aws:ec2:${o.region}:${o.accountId}:network-acl/*`, `arn:aws:ec2:${o.region}:${o.accountId}:vpc/*`],
    },
    { why: "FIS fills and removes its own network ACL", actions: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"], resources: [`arn:aws:ec2:${o.region}:${o.accountId}:network-acl/*`], conditions: managed },
    { why: "FIS swaps the subnets network ACL", actions: ["ec2:ReplaceNetworkAclAssociation"], resources: [...o.subnetArns, `arn:aws:ec2:${o.region}:${o.accountId}:network-acl/*`] },
  ];
}

/**
 * aws:lambda:invocation-* on functions: FIS reads each function's configuration (where its
 * extension looks for faults) and writes, then deletes, the fault configuration in that S3 bucket
 * (FIS actions reference, Lambda actions; the bucket is the user's: AWS_FIS_CONFIGURATION_LOCATION).
 */
export function lambdaInvocationPermissions(o: { functionArns: string[] }): Permission[] {
  return [
    { why: "FIS reads the target functions' configuration", actions: ["lambda:GetFunction"], resources: o.functionArns },
    { why: "FIS resolves function targets", actions: ["tag:GetResources"], resources: ["*"] },
    { why: "FIS writes the fault configuration the FIS Lambda extension polls (AWS_FIS_CONFIGURATION_LOCATION)", actions: ["s3:PutObject", "s3:DeleteObject"], resources: ["arn:aws:s3:::*/FisConfigs/*"] },
  ];
}

/**
 * aws:ecs:task-kill-process: ecs:DescribeTasks, and SSM's SendCommand, ListCommands and
 * CancelCommand (FIS runs the AWSFIS-Run-Kill-Process document through the task's SSM agent,
 * registered as a managed instance).
 */
export function killProcessPermissions(o: { region: string; accountId: string; cluster: string }): Permission[] {
  const inCluster = { ArnEquals: { "ecs:cluster": clusterArn(o.region, o.accountId, o.cluster) } };
  return [
    { why: "FIS describes the tasks of the cluster", actions: ["ecs:DescribeTasks"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:task/*`], conditions: inCluster },
    {
      why: "FIS runs the kill-process document in the tasks",
      actions: ["ssm:SendCommand"],
      resources: [`arn:aws:ssm:${o.region}::document/AWSFIS-Run-Kill-Process`, `arn:aws:ssm:${o.region}:${o.accountId}:managed-instance/*`],
    },
    { why: "FIS follows and cancels its SSM commands", actions: ["ssm:ListCommands", "ssm:CancelCommand"], resources: ["*"] },
  ];
}
