/**
 * The Auto Scaling API (awsQuery) over the sandbox's groups: the calls a lifecycle drain handler
 * and an operator use (DescribeAutoScalingGroups, DescribeAutoScalingInstances,
 * DescribeLifecycleHooks, DescribeScalingActivities, CompleteLifecycleAction,
 * RecordLifecycleActionHeartbeat, SetDesiredCapacity, TerminateInstanceInAutoScalingGroup), with
 * AWS's element names and ValidationError messages.
 */
import { AwsServiceError } from "../../protocol/types.js";
import type { QueryService } from "../../protocol/query.js";
import type { Kernel } from "../../kernel.js";
import type { Ec2 } from "../ec2/instances.js";
import type { AutoScalingGroup } from "../ec2/asg.js";
import type { ScalingActivity } from "./activities.js";
import { globalTimeoutMs } from "./lifecycle-timing.js";

export const AUTOSCALING_API_VERSION = "2011-01-01";

type Input = Record<string, unknown>;

export function autoScalingApi(kernel: Kernel, ec2: Ec2, groups: readonly AutoScalingGroup[]): QueryService {
  const group = (name: unknown): AutoScalingGroup => {
    const g = groups.find((x) => x.spec.name === name);
    if (!g) throw new AwsServiceError("ValidationError", `AutoScalingGroup name not found - AutoScalingGroup ${String(name ?? "")} not found`);
    return g;
  };
  const member = (id: unknown) => {
    const instance = ec2.get(String(id ?? ""));
    const g = instance && groups.find((x) => x.instances().includes(instance));
    return instance && g ? { instance, group: g } : undefined;
  };
  const instanceOf = (g: AutoScalingGroup, i: ReturnType<AutoScalingGroup["instances"]>[number]) => ({
    InstanceId: i.id,
    InstanceType: i.type,
    AvailabilityZone: i.az,
    LifecycleState: g.lifecycleState(i),
    HealthStatus: "HEALTHY",
    ProtectedFromScaleIn: false,
  });
  const activity = (g: AutoScalingGroup, a: ScalingActivity) => ({
    ActivityId: a.activityId,
    AutoScalingGroupName: a.groupName,
    AutoScalingGroupARN: g.arn,
    Description: a.description,
    Cause: a.cause,
    StartTime: kernel.iso(a.startTime),
    EndTime: a.endTime === undefined ? undefined : kernel.iso(a.endTime),
    StatusCode: a.status,
    StatusMessage: a.statusMessage,
    Progress: a.progress,
    Details: JSON.stringify(a.details),
  });
  const actionFor = (input: Input) => {
    const g = group(input.AutoScalingGroupName);
    const by = input.LifecycleActionToken !== undefined ? { token: String(input.LifecycleActionToken) } : { instanceId: String(input.InstanceId ?? "") };
    return g.waitingAction(String(input.LifecycleHookName ?? ""), by);
  };

  return {
    name: "autoscaling",
    version: AUTOSCALING_API_VERSION,
    style: "awsQuery",
    xmlns: `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_API_VERSION}/`,
    operations: {
      DescribeAutoScalingGroups: (input) => {
        const names = list(input.AutoScalingGroupNames).map(String);
        const picked = names.length === 0 ? groups : groups.filter((g) => names.includes(g.spec.name));
        return {
          AutoScalingGroups: picked.map((g) => ({
            AutoScalingGroupName: g.spec.name,
            AutoScalingGroupARN: g.arn,
            MinSize: g.minSize,
            MaxSize: g.maxSize,
            DesiredCapacity: g.desiredCapacity,
            DefaultCooldown: 300,
            AvailabilityZones: [...new Set(g.instances().map((i) => i.az))].sort(),
            HealthCheckType: "EC2",
            CreatedTime: kernel.iso(0),
            Instances: g.instances().map((i) => instanceOf(g, i)),
            Tags: Object.entries(g.spec.tags).map(([Key, Value]) => ({ Key, Value, ResourceId: g.spec.name, ResourceType: "auto-scaling-group", PropagateAtLaunch: true })),
          })),
        };
      },
      DescribeAutoScalingInstances: (input) => {
        const ids = list(input.InstanceIds).map(String);
        const all = groups.flatMap((g) => g.instances().map((i) => ({ g, i })));
        const picked = ids.length === 0 ? all : all.filter(({ i }) => ids.includes(i.id));
        return { AutoScalingInstances: picked.map(({ g, i }) => ({ ...instanceOf(g, i), AutoScalingGroupName: g.spec.name })) };
      },
      DescribeLifecycleHooks: (input) => {
        const g = group(input.AutoScalingGroupName);
        const names = list(input.LifecycleHookNames).map(String);
        return {
          LifecycleHooks: g.spec.lifecycleHooks
            .filter((h) => names.length === 0 || names.includes(h.name))
            .map((h) => ({
              LifecycleHookName: h.name,
              AutoScalingGroupName: g.spec.name,
              LifecycleTransition: h.transition,
              NotificationMetadata: h.notificationMetadata,
              HeartbeatTimeout: h.heartbeatTimeout / 1000,
              GlobalTimeout: globalTimeoutMs(h.heartbeatTimeout) / 1000,
              DefaultResult: h.defaultResult,
            })),
        };
      },
      DescribeScalingActivities: (input) => {
        const named = input.AutoScalingGroupName === undefined ? groups : [group(input.AutoScalingGroupName)];
        const ids = list(input.ActivityIds).map(String);
        const rows = named.flatMap((g) => g.activities.all().map((a) => ({ g, a })));
        rows.sort((x, y) => y.a.startTime - x.a.startTime);
        return { Activities: rows.filter(({ a }) => ids.length === 0 || ids.includes(a.activityId)).map(({ g, a }) => activity(g, a)) };
      },
      CompleteLifecycleAction: (input) => {
        const result = String(input.LifecycleActionResult ?? "");
        if (result !== "CONTINUE" && result !== "ABANDON") throw new AwsServiceError("ValidationError", `Invalid LifecycleActionResult: expected CONTINUE or ABANDON, found ${JSON.stringify(result)}`);
        actionFor(input).complete(result);
        return {};
      },
      RecordLifecycleActionHeartbeat: (input) => {
        actionFor(input).heartbeat();
        return {};
      },
      SetDesiredCapacity: (input) => {
        const desired = Number(input.DesiredCapacity);
        if (!Number.isInteger(desired) || desired < 0) throw new AwsServiceError("ValidationError", `Invalid DesiredCapacity: expected a whole number, found ${JSON.stringify(input.DesiredCapacity)}`);
        group(input.AutoScalingGroupName).setDesiredCapacity(desired);
        return {};
      },
      TerminateInstanceInAutoScalingGroup: (input) => {
        const found = member(input.InstanceId);
        if (!found) throw new AwsServiceError("ValidationError", `Instance Id not found - No managed instance found for instance ID: ${String(input.InstanceId ?? "")}`);
        found.group.terminateInstance(found.instance, input.ShouldDecrementDesiredCapacity === "true");
        const latest = found.group.activities.all().find((a) => a.description === `Terminating EC2 instance: ${found.instance.id}`)!;
        return { Activity: activity(found.group, latest) };
      },
    },
  };
}

function list(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.filter((e) => e !== undefined) : [v];
}
