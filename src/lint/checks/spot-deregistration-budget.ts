/**
 * A service on a cluster with spot capacity must leave its instance before the instance goes:
 * ECS deregisters a draining task from its target groups, waits the deregistration delay, then
 * sends SIGTERM and waits up to the container's stopTimeout before SIGKILL. If the two together
 * exceed the two-minute spot notice, the instance terminates under tasks still registered or
 * still stopping. The drain time is read as drain-time.ts describes.
 */
import { SPOT_NOTICE_SECONDS, type Finding, type LintCheck } from "../check.js";
import type { Inventory } from "../inventory.js";
import { runsOnEc2, serviceName } from "../services.js";
import { drainTime, targetGroupsOf } from "../drain-time.js";

export const spotDeregistrationBudget: LintCheck = {
  id: "spot-deregistration-budget",
  title: "deregistration delay + stopTimeout fits in the 2-minute spot notice",
  doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-connection-draining.html",
  severity: "error",
  calls: ["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListContainerInstances", "ecs:DescribeContainerInstances", "ec2:DescribeInstances", "ecs:ListServices", "ecs:DescribeServices", "ecs:DescribeTaskDefinition", "elasticloadbalancing:DescribeTargetGroupAttributes"],
  async run(inv: Inventory): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const cluster of await inv.clusters()) {
      const spot = (await inv.containerInstances(cluster)).filter((i) => i.spot).length;
      if (spot === 0) continue;
      for (const s of await inv.services(cluster)) {
        if (!runsOnEc2(s) || targetGroupsOf(s).length === 0 || !s.taskDefinition) continue;
        const { deregistrationDelay: delay, stopTimeout: stop, total } = await drainTime(inv, s);
        if (total <= SPOT_NOTICE_SECONDS) continue;
        findings.push({
          check: this.id,
          severity: this.severity,
          resource: `service ${serviceName(cluster.name, s)}`,
          message: `service ${s.serviceName}: deregistration delay ${delay} s + stopTimeout ${stop} s = ${total} s > ${SPOT_NOTICE_SECONDS} s spot notice (cluster ${cluster.name} has ${spot} spot container instance${spot === 1 ? "" : "s"}); its tasks are still registered or stopping when the instance terminates`,
        });
      }
    }
    return findings;
  },
};
