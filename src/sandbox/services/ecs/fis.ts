/**
 * What FIS can do to ECS in the sandbox: the resource types aws:ecs:task (parameters cluster and
 * service; filters read the DescribeTasks shape in PascalCase) and aws:ecs:cluster, and the
 * actions aws:ecs:stop-task and aws:ecs:drain-container-instances (drainagePercentage 1 to 100,
 * duration; instances go back to ACTIVE at the end or when the experiment stops), and gameday's
 * sandbox-only gameday:ecs:fargate-spot-interrupt (a Fargate Spot interruption of the target tasks).
 */
import type { FisRegistry, FisResource } from "../fis/registry.js";
import { durationMs } from "../../../fis/duration.js";
import { describedAction, describedResourceType, FARGATE_SPOT_INTERRUPT_ACTION } from "../../../fis/catalog.js";
import type { EcsControlPlane } from "./control-plane.js";
import { lastSegment, type ContainerInstance } from "./model.js";
import { clusterShape, INCLUDE_FIELDS, taskShape } from "./shapes.js";

/** FIS target filters may name any field of the cluster's description, asked for or not. */
const ALL_CLUSTER_FIELDS = new Set(INCLUDE_FIELDS.DescribeClusters);

/** DescribeX output keys as FIS filter paths name them: PascalCase. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]));
  }
  return value;
}

export function registerEcsFis(registry: FisRegistry, ecs: EcsControlPlane): void {
  const random = ecs.kernel.random.fork("fis:ecs");

  registry.addResourceType({
    ...describedResourceType("aws:ecs:task"),
    candidates(parameters) {
      const clusters = parameters.cluster ? [ecs.clusters.get(lastSegment(parameters.cluster))].filter((c) => c !== undefined) : [...ecs.clusters.values()];
      const out: FisResource[] = [];
      for (const c of clusters) {
        for (const t of c.tasks) {
          if (t.lastStatus !== "RUNNING" || t.desiredStatus !== "RUNNING") continue;
          if (parameters.service && t.service?.name !== lastSegment(parameters.service)) continue;
          out.push({ arn: t.arn, info: { cluster: c.name, ...(t.service ? { service: t.service.name } : {}) }, describe: pascal(taskShape(t)) as Record<string, unknown>, tags: {} });
        }
      }
      return out;
    },
  });

  registry.addResourceType({
    ...describedResourceType("aws:ecs:cluster"),
    candidates: () => [...ecs.clusters.values()].map((c) => ({ arn: c.arn, info: { clusterName: c.name }, describe: pascal(clusterShape(c, ALL_CLUSTER_FIELDS)) as Record<string, unknown>, tags: c.tags })),
  });

  registry.addAction({
    ...describedAction("aws:ecs:stop-task"),
    start(ctx, done, fail) {
      for (const r of ctx.targets.Tasks ?? []) {
        const clusterName = r.arn.split("/")[1] ?? "";
        const cluster = ecs.clusters.get(clusterName);
        const task = cluster ? ecs.findTask(cluster, r.arn) : undefined;
        if (!task) {
          fail(`Unable to stop task ${r.arn}: The referenced task was not found.`);
          return { stop() {} };
        }
        ecs.stopTask(task, "UserInitiated", "Task stopped by user");
      }
      done();
      return { stop() {} };
    },
  });

  // gameday's own (catalog.ts): what Fargate Spot does when it takes capacity back; tasks not on FARGATE_SPOT fail the action.
  registry.addAction({
    ...describedAction(FARGATE_SPOT_INTERRUPT_ACTION),
    start(ctx, done, fail) {
      for (const r of ctx.targets.Tasks ?? []) {
        const cluster = ecs.clusters.get(r.arn.split("/")[1] ?? "");
        const task = cluster ? ecs.findTask(cluster, r.arn) : undefined;
        if (!task) {
          fail(`Unable to interrupt task ${r.arn}: The referenced task was not found.`);
          return { stop() {} };
        }
        if (task.capacityProviderName !== "FARGATE_SPOT") {
          fail(`Unable to interrupt task ${r.arn}: the task does not run on the FARGATE_SPOT capacity provider.`);
          return { stop() {} };
        }
        ecs.interruptSpotTask(task);
      }
      done();
      return { stop() {} };
    },
  });

  registry.addAction({
    ...describedAction("aws:ecs:drain-container-instances"),
    start(ctx, done) {
      const pct = Number(ctx.parameters.drainagePercentage);
      const drained: ContainerInstance[] = [];
      for (const r of ctx.targets.Clusters ?? []) {
        const cluster = ecs.clusters.get(lastSegment(r.arn));
        if (!cluster) continue;
        const active = cluster.containerInstances.filter((ci) => ci.status === "ACTIVE");
        for (const ci of random.sample(active, Math.ceil((active.length * pct) / 100))) {
          ecs.setStatus(ci, "DRAINING", `FIS ${ctx.experimentId} ${ctx.actionName}`);
          drained.push(ci);
        }
      }
      let reverted = false;
      const revert = () => {
        if (reverted) return;
        reverted = true;
        for (const ci of drained) if (ci.status === "DRAINING") ecs.setStatus(ci, "ACTIVE", `FIS ${ctx.experimentId} ${ctx.actionName} ended`);
      };
      const cancel = ctx.kernel.clock.setTimer(durationMs(ctx.parameters.duration ?? "")!, () => {
        revert();
        done();
      });
      return {
        stop() {
          cancel();
          revert();
        },
      };
    },
  });
}
