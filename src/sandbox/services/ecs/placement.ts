/**
 * Task placement as the ECS scheduler does it: keep the container instances that are ACTIVE,
 * connected and have the CPU and memory the task reserves, then narrow them with each placement
 * strategy in order (spread over AZs or instances by the group's task count, binpack on the least
 * remaining memory or CPU, random), then pick among what is left at random.
 */
import type { Random } from "../../../random/random.js";
import type { CapacityProviderItem, PlacementStrategy } from "../../stack/ecs.js";
import type { ContainerInstance, FargateCapacityProvider, Task } from "./model.js";

export interface Requirements {
  cpu: number;
  memory: number;
  /** The task group ("service:web") whose tasks spread strategies count. */
  group: string;
}

export type PlacementResult =
  | { ok: true; instance: ContainerInstance }
  | { ok: false; reason: string; failures: { arn: string; reason: string }[] };

function counts(tasksOf: Iterable<Task>, group: string): number {
  let n = 0;
  for (const t of tasksOf) if (t.group === group && t.desiredStatus === "RUNNING") n++;
  return n;
}

export function place(req: Requirements, instances: readonly ContainerInstance[], strategies: readonly PlacementStrategy[], random: Random): PlacementResult {
  const active = instances.filter((ci) => ci.status === "ACTIVE" && ci.agentConnected);
  if (active.length === 0) {
    return { ok: false, reason: "No Container Instances were found in your cluster.", failures: [] };
  }
  const fits = active.filter((ci) => ci.remainingCpu >= req.cpu && ci.remainingMemory >= req.memory);
  if (fits.length === 0) {
    // Report as AWS does: the closest instance, and per instance which resource was short.
    const failures = active.map((ci) => ({ arn: ci.arn, reason: ci.remainingMemory < req.memory ? "RESOURCE:MEMORY" : "RESOURCE:CPU" }));
    const closest = [...active].sort((a, b) => b.remainingMemory - a.remainingMemory)[0]!;
    const short = closest.remainingMemory < req.memory ? "memory" : "CPU";
    return {
      ok: false,
      reason: `The closest matching (container-instance ${closest.id}) has insufficient ${short} available.`,
      failures,
    };
  }
  let candidates = fits;
  for (const s of strategies) {
    if (candidates.length <= 1) break;
    if (s.type === "random") {
      candidates = [random.pick(candidates)];
    } else if (s.type === "binpack") {
      const left = (ci: ContainerInstance) => (s.field === "cpu" ? ci.remainingCpu : ci.remainingMemory);
      const min = Math.min(...candidates.map(left));
      candidates = candidates.filter((ci) => left(ci) === min);
    } else if (s.field === "attribute:ecs.availability-zone") {
      const perZone = new Map<string, number>();
      // Count the group's tasks on every instance in each zone, not only on those that fit.
      for (const ci of instances) {
        if (ci.status === "INACTIVE") continue;
        perZone.set(ci.instance.az, (perZone.get(ci.instance.az) ?? 0) + counts(ci.tasks, req.group));
      }
      const min = Math.min(...candidates.map((ci) => perZone.get(ci.instance.az) ?? 0));
      candidates = candidates.filter((ci) => (perZone.get(ci.instance.az) ?? 0) === min);
    } else {
      const min = Math.min(...candidates.map((ci) => counts(ci.tasks, req.group)));
      candidates = candidates.filter((ci) => counts(ci.tasks, req.group) === min);
    }
  }
  return { ok: true, instance: candidates.length === 1 ? candidates[0]! : random.pick(candidates) };
}

/** Fargate: capacity is AWS's; the task goes to the AZ where its group has the fewest tasks. */
export function placeFargate(group: string, zones: readonly string[], tasks: readonly Task[], random: Random): string {
  const perZone = new Map<string, number>(zones.map((z) => [z, 0]));
  for (const t of tasks) {
    if (t.group === group && t.desiredStatus === "RUNNING" && perZone.has(t.availabilityZone)) perZone.set(t.availabilityZone, perZone.get(t.availabilityZone)! + 1);
  }
  const min = Math.min(...perZone.values());
  return random.pick(zones.filter((z) => perZone.get(z) === min));
}

/**
 * Which Fargate capacity provider a service's next task goes to (fargate-capacity-providers.html,
 * "capacity provider strategy"): the provider with a base gets tasks until it runs `base` of them;
 * beyond the base, tasks split in proportion to the weights, so the next one goes where the
 * service is furthest below its weighted share. Ties go to the earlier entry of the strategy.
 */
export function pickCapacityProvider(strategy: readonly CapacityProviderItem[], running: ReadonlyMap<FargateCapacityProvider, number>): FargateCapacityProvider {
  const count = (p: FargateCapacityProvider) => running.get(p) ?? 0;
  const underBase = strategy.find((i) => count(i.capacityProvider) < i.base);
  if (underBase) return underBase.capacityProvider;
  const weighted = strategy.filter((i) => i.weight > 0);
  const totalWeight = weighted.reduce((n, i) => n + i.weight, 0);
  const beyondBase = strategy.reduce((n, i) => n + count(i.capacityProvider) - i.base, 0) + 1;
  let best = weighted[0]!;
  let bestDeficit = -Infinity;
  for (const i of weighted) {
    const deficit = (i.weight / totalWeight) * beyondBase - (count(i.capacityProvider) - i.base);
    if (deficit > bestDeficit) [best, bestDeficit] = [i, deficit];
  }
  return best.capacityProvider;
}
