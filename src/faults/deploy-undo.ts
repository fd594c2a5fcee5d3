/**
 * Undo of the deploy fault: the service goes back to the task definition it ran before, unless it
 * already runs it (the circuit breaker rolled back, or the deployment was a forced redeploy of the
 * same revision). Idempotent, as `chaos recover` may run it twice.
 */
import { DescribeServicesCommand, UpdateServiceCommand } from "../aws/sdk/ecs.js";
import type { AwsClients } from "../aws/clients.js";

export async function restoreTaskDefinition(aws: AwsClients, cluster: string, service: string, taskDefinition: string): Promise<{ ok: boolean; detail: string }> {
  const ecs = await aws.ecs();
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const svc = out.services?.[0];
  if (!svc) return { ok: true, detail: `service ${service} is gone from ${cluster}: nothing to restore` };
  const short = (arn: string | undefined) => (arn ?? "?").slice((arn ?? "").lastIndexOf("/") + 1);
  if (svc.taskDefinition === taskDefinition) return { ok: true, detail: `service ${service} already runs ${short(taskDefinition)}` };
  await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
  return { ok: true, detail: `service ${service} deploys ${short(taskDefinition)} again (it ran ${short(svc.taskDefinition)})` };
}
