/**
 * A drain replaces a service's tasks within its deployment configuration: ECS may stop tasks down
 * to minimumHealthyPercent of desiredCount (rounded up) before replacements run, and may start
 * replacements up to maximumPercent. At a floor of 0 tasks a drain can stop every task at once;
 * at 100 % / 100 % it can do neither, and the drain waits until the instance goes.
 */
import type { Finding, LintCheck } from "../check.js";
import type { Inventory } from "../inventory.js";
import { runsOnEc2, serviceName } from "../services.js";

export const drainMinHealthy: LintCheck = {
  id: "drain-min-healthy",
  title: "a drain keeps some of a service's tasks running and can make progress",
  doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html",
  severity: "error",
  calls: ["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices"],
  async run(inv: Inventory): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const cluster of await inv.clusters()) {
      for (const s of await inv.services(cluster)) {
        const desired = s.desiredCount ?? 0;
        if (!runsOnEc2(s) || desired === 0) continue;
        const min = s.deploymentConfiguration?.minimumHealthyPercent ?? 100;
        const max = s.deploymentConfiguration?.maximumPercent ?? 200;
        const floor = Math.ceil((desired * min) / 100);
        const finding = (message: string) => findings.push({ check: this.id, severity: this.severity, resource: `service ${serviceName(cluster.name, s)}`, message });
        if (floor === 0) {
          finding(`service ${s.serviceName}: minimumHealthyPercent ${min} % of desiredCount ${desired} keeps ${floor} tasks running: a drain may stop all ${desired} task${desired === 1 ? "" : "s"} before any replacement starts`);
        } else if (min >= 100 && Math.floor((desired * max) / 100) <= desired) {
          finding(`service ${s.serviceName}: minimumHealthyPercent ${min} % and maximumPercent ${max} % of desiredCount ${desired} leave a drain no room: ECS can neither stop a task first nor start its replacement first, so the drained tasks stay until the instance goes`);
        }
      }
    }
    return findings;
  },
};
