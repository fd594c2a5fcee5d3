/**
 * A scale-in that terminates an ECS container instance waits in its group's terminating lifecycle
 * hook while a handler drains the instance; when the hook times out its default result applies and
 * the instance terminates, under tasks still registered or still stopping. The drain needs the
 * longest drain time (deregistration delay + stopTimeout, drain-time.ts) among the EC2 services of
 * the cluster the group's instances belong to. The budget is the hook's heartbeat timeout: a
 * handler that records heartbeats can stretch the wait up to the global timeout, but the lint cannot
 * see whether it does, so a drain longer than the heartbeat timeout is flagged, naming both.
 */
import type { Finding, LintCheck } from "../check.js";
import type { ClusterView, GroupView, Inventory } from "../inventory.js";
import { runsOnEc2 } from "../services.js";
import { drainTime, type DrainTime } from "../drain-time.js";

const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

interface Drain extends DrainTime {
  service: string;
}

/** The slowest drain among the cluster's EC2 services, or undefined when it has none. */
async function slowestDrain(inv: Inventory, cluster: ClusterView): Promise<Drain | undefined> {
  let slowest: Drain | undefined;
  for (const s of await inv.services(cluster)) {
    if (!runsOnEc2(s)) continue;
    const d = await drainTime(inv, s);
    if (!slowest || d.total > slowest.total) slowest = { ...d, service: s.serviceName ?? s.serviceArn ?? "?" };
  }
  return slowest;
}

/** The cluster whose container instances the group's instances are, if any. */
async function clusterOf(inv: Inventory, group: GroupView): Promise<ClusterView | undefined> {
  const ids = new Set(group.instanceIds);
  for (const cluster of await inv.clusters()) {
    if ((await inv.containerInstances(cluster)).some((i) => ids.has(i.ec2InstanceId))) return cluster;
  }
  return undefined;
}

export const lifecycleHookBudget: LintCheck = {
  id: "lifecycle-hook-budget",
  title: "a terminating lifecycle hook waits long enough for the cluster's tasks to drain",
  doc: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html",
  severity: "error",
  calls: [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeLifecycleHooks",
    "ecs:ListClusters",
    "ecs:DescribeClusters",
    "ecs:ListContainerInstances",
    "ecs:DescribeContainerInstances",
    "ec2:DescribeInstances",
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
  ],
  async run(inv: Inventory): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const group of await inv.autoScalingGroups()) {
      const hooks = (await inv.lifecycleHooks(group.name)).filter((h) => h.LifecycleTransition === TERMINATING);
      if (hooks.length === 0) continue;
      const cluster = await clusterOf(inv, group);
      const drain = cluster && (await slowestDrain(inv, cluster));
      if (!cluster || !drain) continue;
      for (const hook of hooks) {
        // AWS always reports both; should one be missing, nothing is assumed and the hook is skipped.
        const heartbeat = hook.HeartbeatTimeout;
        const global = hook.GlobalTimeout;
        if (heartbeat === undefined || global === undefined || drain.total <= heartbeat) continue;
        const heartbeats = drain.total <= global ? `a handler that calls RecordLifecycleActionHeartbeat can extend the wait up to the global timeout ${global} s` : `heartbeats cannot save it either: the global timeout is ${global} s`;
        findings.push({
          check: this.id,
          severity: this.severity,
          resource: `lifecycle hook ${group.name}/${hook.LifecycleHookName ?? "?"}`,
          message: `lifecycle hook ${hook.LifecycleHookName} on group ${group.name}: heartbeat timeout ${heartbeat} s < ${drain.total} s to drain service ${drain.service} on cluster ${cluster.name} (deregistration delay ${drain.deregistrationDelay} s + stopTimeout ${drain.stopTimeout} s); assuming a handler that does not heartbeat, the default result${hook.DefaultResult ? ` ${hook.DefaultResult}` : ""} applies and the instance terminates under tasks still registered or stopping; ${heartbeats}`,
        });
      }
    }
    return findings;
  },
};
