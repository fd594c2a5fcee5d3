/** Which ECS services run on EC2 container instances (and so are drained with them); Fargate services are not. */
import type { Service } from "@aws-sdk/client-ecs";

export function runsOnEc2(s: Service): boolean {
  if (s.launchType !== undefined) return s.launchType === "EC2";
  // A capacity provider strategy: Fargate's providers are named FARGATE and FARGATE_SPOT.
  const providers = (s.capacityProviderStrategy ?? []).map((p) => p.capacityProvider ?? "");
  return providers.length > 0 && providers.some((p) => p !== "FARGATE" && p !== "FARGATE_SPOT");
}

/** "prod/web": the resource as a finding names it. */
export function serviceName(cluster: string, s: Service): string {
  return `${cluster}/${s.serviceName ?? s.serviceArn ?? "?"}`;
}
