/**
 * Elastic Load Balancing v2's read-only API (awsQuery, Version 2015-12-01) over the sandbox's load
 * balancers: one application load balancer per load-balanced service, named after its target
 * group (as the ALB metrics name it, metrics/alb.ts), forwarding to that group. DescribeLoadBalancers,
 * DescribeTargetGroups, DescribeTargetGroupAttributes (deregistration_delay.timeout_seconds from
 * the stack) and DescribeTargetHealth, with ELB's error codes for unknown ARNs and names.
 */
import { AwsServiceError } from "../../protocol/types.js";
import { inputStrings, type QueryService } from "../../protocol/query.js";
import type { Kernel } from "../../kernel.js";
import { albIdentity } from "../../metrics/alb.js";
import type { TargetGroup, TargetHealth } from "../../workload/target-group.js";

export const ELB_API_VERSION = "2015-12-01";

/** The port the sandbox's web containers listen on (ecs/shapes.ts loadBalancers). */
const CONTAINER_PORT = 8080;
const VPC_ID = "vpc-0gameday0000000000";

export interface BalancedGroup {
  group: TargetGroup;
  zones: readonly string[];
}

/** What DescribeTargetHealth says of each state, as ELB words it. */
const HEALTH_REASONS: Partial<Record<TargetHealth, { Reason: string; Description: string }>> = {
  initial: { Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress" },
  unhealthy: { Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed" },
  draining: { Reason: "Target.DeregistrationInProgress", Description: "Target deregistration is in progress" },
};

export function elbApi(kernel: Kernel, groups: () => BalancedGroup[]): QueryService {
  const loadBalancerArn = (g: TargetGroup) => kernel.arn("elasticloadbalancing", `loadbalancer/${albIdentity(g.arn).loadBalancer}`);
  const byGroupArn = (arn: unknown): BalancedGroup => {
    const found = groups().find((b) => b.group.arn === arn);
    if (!found) throw new AwsServiceError("TargetGroupNotFound", `Target groups '${String(arn)}' not found`);
    return found;
  };

  return {
    name: "elasticloadbalancing",
    version: ELB_API_VERSION,
    style: "awsQuery",
    xmlns: `http://elasticloadbalancing.amazonaws.com/doc/${ELB_API_VERSION}/`,
    operations: {
      DescribeLoadBalancers: (input) => {
        const arns = inputStrings(input.LoadBalancerArns);
        const names = inputStrings(input.Names);
        const all = groups();
        const missing = [...arns.filter((a) => !all.some((b) => loadBalancerArn(b.group) === a)), ...names.filter((n) => !all.some((b) => b.group.spec.name === n))];
        if (missing.length > 0) throw new AwsServiceError("LoadBalancerNotFound", `Load balancers '[${missing.join(", ")}]' not found`);
        const chosen = all.filter((b) => (arns.length === 0 || arns.includes(loadBalancerArn(b.group))) && (names.length === 0 || names.includes(b.group.spec.name)));
        return {
          LoadBalancers: chosen.map((b) => {
            const id = albIdentity(b.group.arn).loadBalancer;
            const name = id.split("/")[1]!;
            return {
              LoadBalancerArn: loadBalancerArn(b.group),
              DNSName: `${name}-${id.split("/")[2]!.slice(0, 10)}.${kernel.region}.elb.amazonaws.com`,
              CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
              LoadBalancerName: name,
              Scheme: "internet-facing",
              VpcId: VPC_ID,
              State: { Code: "active" },
              Type: "application",
              AvailabilityZones: b.zones.map((z) => ({ ZoneName: z, SubnetId: `subnet-${z.replace(/-/g, "")}` })),
              IpAddressType: "ipv4",
            };
          }),
        };
      },

      DescribeTargetGroups: (input) => {
        const arns = inputStrings(input.TargetGroupArns);
        const names = inputStrings(input.Names);
        const all = groups();
        const missing = [...arns.filter((a) => !all.some((b) => b.group.arn === a)), ...names.filter((n) => !all.some((b) => b.group.spec.name === n))];
        if (missing.length > 0) throw new AwsServiceError("TargetGroupNotFound", `Target groups '[${missing.join(", ")}]' not found`);
        const lb = input.LoadBalancerArn;
        const chosen = all.filter(
          (b) => (arns.length === 0 || arns.includes(b.group.arn)) && (names.length === 0 || names.includes(b.group.spec.name)) && (lb === undefined || loadBalancerArn(b.group) === lb),
        );
        return {
          TargetGroups: chosen.map(({ group }) => {
            const hc = group.spec.healthCheck;
            return {
              TargetGroupArn: group.arn,
              TargetGroupName: group.spec.name,
              Protocol: "HTTP",
              Port: CONTAINER_PORT,
              VpcId: VPC_ID,
              HealthCheckProtocol: "HTTP",
              HealthCheckPort: "traffic-port",
              HealthCheckEnabled: true,
              HealthCheckIntervalSeconds: hc.interval / 1000,
              HealthCheckTimeoutSeconds: 5,
              HealthyThresholdCount: hc.healthyThreshold,
              UnhealthyThresholdCount: hc.unhealthyThreshold,
              HealthCheckPath: "/",
              Matcher: { HttpCode: "200" },
              LoadBalancerArns: [loadBalancerArn(group)],
              TargetType: "ip",
              ProtocolVersion: "HTTP1",
              IpAddressType: "ipv4",
            };
          }),
        };
      },

      DescribeTargetGroupAttributes: (input) => {
        const { group } = byGroupArn(input.TargetGroupArn);
        return {
          Attributes: [
            { Key: "deregistration_delay.timeout_seconds", Value: String(group.spec.deregistrationDelay / 1000) },
            { Key: "stickiness.enabled", Value: "false" },
            { Key: "stickiness.type", Value: "lb_cookie" },
            { Key: "load_balancing.algorithm.type", Value: "round_robin" },
            { Key: "slow_start.duration_seconds", Value: "0" },
          ],
        };
      },

      DescribeTargetHealth: (input) => {
        const { group } = byGroupArn(input.TargetGroupArn);
        return {
          TargetHealthDescriptions: group.registered().map((t) => ({
            Target: { Id: targetIp(t.id), Port: CONTAINER_PORT },
            HealthCheckPort: String(CONTAINER_PORT),
            TargetHealth: { State: t.state, ...HEALTH_REASONS[t.state] },
          })),
        };
      },
    },
  };
}

/**
 * The task's address in the VPC: targets of an awsvpc service register by IP. The sandbox's tasks
 * have no network of their own, so the address is derived from the task id (stable, in 10.0/16).
 */
function targetIp(taskId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193) >>> 0;
  return `10.0.${(h >>> 8) & 0xff}.${(h & 0xff) % 254 + 1}`;
}
