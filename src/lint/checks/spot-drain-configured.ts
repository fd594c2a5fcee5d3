/**
 * Spot container instances must be drained when their interruption warning comes, or their tasks
 * die with the instance. Either the ECS agent does it (ECS_ENABLE_SPOT_INSTANCE_DRAINING=true in
 * /etc/ecs/ecs.config, off by default) or an EventBridge rule sends the warning to something that
 * drains (a Lambda calling UpdateContainerInstancesState). Reads the agent's setting from each
 * spot instance's user data (a setting baked into the AMI or written another way is not seen) and
 * asks EventBridge's own matcher (TestEventPattern) whether an enabled rule with a target on the
 * default bus matches a spot interruption warning (what the target does with it is not checked).
 */
import type { Finding, LintCheck } from "../check.js";
import type { ClusterView, Inventory } from "../inventory.js";

/**
 * Whether a Linux instance's user data turns the agent's spot draining on: a line, not commented
 * out, that sets ECS_ENABLE_SPOT_INSTANCE_DRAINING=true (an `echo ... >> /etc/ecs/ecs.config`, a
 * heredoc, a MIME part). Compressed user data and Windows' PowerShell form are not read.
 */
export function agentDrainsSpot(userData: string): boolean {
  return /^(?!\s*#).*\bECS_ENABLE_SPOT_INSTANCE_DRAINING\s*=\s*["']?true\b/im.test(userData);
}

/** The warning as EC2 sends it (EC2 user guide, spot instance interruption notices). */
function spotWarning(cluster: ClusterView, instanceId: string): Record<string, unknown> {
  const [, , , region = "us-east-1", account = "123456789012"] = cluster.arn.split(":");
  return {
    version: "0",
    id: "12345678-1234-1234-1234-123456789012",
    "detail-type": "EC2 Spot Instance Interruption Warning",
    source: "aws.ec2",
    account,
    time: "2020-11-25T13:00:00Z",
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    detail: { "instance-id": instanceId, "instance-action": "terminate" },
  };
}

export const spotDrainConfigured: LintCheck = {
  id: "spot-drain-configured",
  title: "spot container instances are drained on the interruption warning (agent setting or EventBridge rule)",
  doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/spot-instance-draining-linux-container.html",
  severity: "error",
  calls: ["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListContainerInstances", "ecs:DescribeContainerInstances", "ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "events:ListRules", "events:ListTargetsByRule", "events:TestEventPattern"],
  async run(inv: Inventory): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const cluster of await inv.clusters()) {
      const spot = (await inv.containerInstances(cluster)).filter((i) => i.spot);
      const undrained: string[] = [];
      for (const i of spot) if (!agentDrainsSpot(await inv.userData(i.ec2InstanceId))) undrained.push(i.ec2InstanceId);
      if (undrained.length === 0) continue;
      const warning = spotWarning(cluster, undrained[0]!);
      let routed = false;
      for (const rule of await inv.rules()) {
        if (rule.targets.length > 0 && rule.eventPattern && (await inv.patternMatches(rule.eventPattern, warning))) {
          routed = true;
          break;
        }
      }
      if (routed) continue;
      findings.push({
        check: this.id,
        severity: this.severity,
        resource: `cluster ${cluster.name}`,
        message: `cluster ${cluster.name}: ${undrained.length} spot container instance${undrained.length === 1 ? "" : "s"} (${undrained.join(", ")}) without ECS_ENABLE_SPOT_INSTANCE_DRAINING=true in user data, and no EventBridge rule routes "EC2 Spot Instance Interruption Warning" to a target: their tasks are killed with the instance 120 s after the notice`,
      });
    }
    return findings;
  },
};
