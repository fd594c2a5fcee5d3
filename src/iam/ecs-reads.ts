/**
 * The ECS reads gameday's faults and probes make on one cluster, scoped to it: List* on the
 * cluster's ARN, Describe* on its tasks and container instances with an `ecs:cluster` condition
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
 * A cluster that is not known before the run (a probe that follows the fault's) is `*`.
 */
import { clusterArn } from "./fis-actions.js";
import type { Permission } from "./permission.js";

export function ecsClusterReads(o: { region: string; accountId: string; cluster?: string; what: ("instances" | "tasks")[]; why: string }): Permission[] {
  const cluster = o.cluster === undefined ? `arn:aws:ecs:${o.region}:${o.accountId}:cluster/*` : clusterArn(o.region, o.accountId, o.cluster);
  const inCluster = { ArnEquals: { "ecs:cluster": cluster } };
  const out: Permission[] = [];
  if (o.what.includes("instances")) {
    out.push({ why: `${o.why}: list container instances`, actions: ["ecs:ListContainerInstances"], resources: [cluster] });
    out.push({ why: `${o.why}: describe container instances`, actions: ["ecs:DescribeContainerInstances"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:container-instance/*`], conditions: inCluster });
  }
  if (o.what.includes("tasks")) {
    out.push({ why: `${o.why}: list tasks`, actions: ["ecs:ListTasks"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:container-instance/*`], conditions: inCluster });
    out.push({ why: `${o.why}: describe tasks`, actions: ["ecs:DescribeTasks"], resources: [`arn:aws:ecs:${o.region}:${o.accountId}:task/*`], conditions: inCluster });
  }
  return out;
}
