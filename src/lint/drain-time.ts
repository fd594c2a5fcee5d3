/**
 * How long ECS takes to drain one of a service's tasks off an instance: it deregisters the task
 * from its target groups and waits the longest deregistration delay (ELB's default 300 s when the
 * attribute is absent; 0 s without a target group), then sends SIGTERM and waits up to the
 * longest container stopTimeout (30 s when unset, ECS's default; the EC2 agent's
 * ECS_CONTAINER_STOP_TIMEOUT is not read) before SIGKILL.
 */
import type { Service } from "../aws/sdk/ecs.js";
import type { Inventory } from "./inventory.js";

const DEFAULT_DEREGISTRATION_DELAY_S = 300;
const DEFAULT_STOP_TIMEOUT_S = 30;

export interface DrainTime {
  deregistrationDelay: number;
  stopTimeout: number;
  total: number;
}

export function targetGroupsOf(s: Service): string[] {
  return (s.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : []));
}

/** The service's drain time in seconds, through the inventory's memoized reads. */
export async function drainTime(inv: Inventory, s: Service): Promise<DrainTime> {
  let deregistrationDelay = 0;
  for (const arn of targetGroupsOf(s)) {
    const value = (await inv.targetGroupAttributes(arn)).get("deregistration_delay.timeout_seconds");
    deregistrationDelay = Math.max(deregistrationDelay, value === undefined ? DEFAULT_DEREGISTRATION_DELAY_S : Number(value));
  }
  const td = s.taskDefinition ? await inv.taskDefinition(s.taskDefinition) : undefined;
  const stopTimeout = Math.max(0, ...(td?.containerDefinitions ?? []).map((c) => c.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S));
  return { deregistrationDelay, stopTimeout, total: deregistrationDelay + stopTimeout };
}
