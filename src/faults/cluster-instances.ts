/**
 * A cluster's container instances through ECS, as drain and the guardrails' resolution read them:
 * ARNs by status, and the EC2 instance id behind each.
 */
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient } from "../aws/sdk/ecs.js";

export async function instancesWithStatus(ecs: ECSClient, cluster: string, status: "ACTIVE" | "DRAINING" | undefined, signal?: AbortSignal): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, ...(status ? { status } : {}), ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

export async function ec2Ids(ecs: ECSClient, cluster: string, arns: string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < arns.length; i += 100) {
    const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(i, i + 100) }), { abortSignal: signal as never });
    for (const c of d.containerInstances ?? []) if (c.containerInstanceArn) ids.set(c.containerInstanceArn, c.ec2InstanceId ?? c.containerInstanceArn);
  }
  return ids;
}
