/**
 * The target as lint's checks read it, through read-only AWS calls only, each made once per run
 * however many checks need its answer: ECS clusters, services and task definitions, the EC2
 * instances behind container instances (lifecycle, user data), target group attributes,
 * EventBridge rules with their targets, and Auto Scaling groups with their lifecycle hooks. Pages are followed with the SDK's own paginators.
 */
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, paginateListClusters, paginateListServices, type Service, type TaskDefinition } from "../aws/sdk/ecs.js";
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand } from "../aws/sdk/ec2.js";
import { DescribeTargetGroupAttributesCommand } from "../aws/sdk/elbv2.js";
import { ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } from "../aws/sdk/eventbridge.js";
import { DescribeLifecycleHooksCommand, paginateDescribeAutoScalingGroups, type LifecycleHook } from "../aws/sdk/autoscaling.js";
import type { AwsClients } from "../aws/clients.js";
import { ec2Ids, instancesWithStatus } from "../faults/cluster-instances.js";

export interface ClusterView {
  name: string;
  arn: string;
}

export interface InstanceView {
  containerInstanceArn: string;
  ec2InstanceId: string;
  spot: boolean;
}

export interface RuleView {
  name: string;
  eventPattern: string | undefined;
  targets: string[];
}

export interface GroupView {
  name: string;
  instanceIds: string[];
}

export class Inventory {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(readonly clients: AwsClients) {}

  clusters(): Promise<ClusterView[]> {
    return this.once("clusters", async () => {
      const ecs = await this.clients.ecs();
      const arns: string[] = [];
      for await (const page of paginateListClusters({ client: ecs }, {})) arns.push(...(page.clusterArns ?? []));
      const out: ClusterView[] = [];
      for (let i = 0; i < arns.length; i += 100) {
        const d = await ecs.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100) }));
        for (const c of d.clusters ?? []) if (c.clusterName && c.clusterArn) out.push({ name: c.clusterName, arn: c.clusterArn });
      }
      return out;
    });
  }

  services(cluster: ClusterView): Promise<Service[]> {
    return this.once(`services:${cluster.arn}`, async () => {
      const ecs = await this.clients.ecs();
      const arns: string[] = [];
      for await (const page of paginateListServices({ client: ecs }, { cluster: cluster.arn })) arns.push(...(page.serviceArns ?? []));
      const out: Service[] = [];
      for (let i = 0; i < arns.length; i += 10) {
        const d = await ecs.send(new DescribeServicesCommand({ cluster: cluster.arn, services: arns.slice(i, i + 10) }));
        out.push(...(d.services ?? []));
      }
      return out;
    });
  }

  taskDefinition(arn: string): Promise<TaskDefinition | undefined> {
    return this.once(`td:${arn}`, async () => {
      const ecs = await this.clients.ecs();
      return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
    });
  }

  /** The cluster's registered container instances (ACTIVE and DRAINING), with the EC2 instance behind each and whether it is spot. */
  containerInstances(cluster: ClusterView): Promise<InstanceView[]> {
    return this.once(`instances:${cluster.arn}`, async () => {
      const ecs = await this.clients.ecs();
      const arns = await instancesWithStatus(ecs, cluster.arn, undefined);
      const ids = await ec2Ids(ecs, cluster.arn, arns);
      const spot = new Set<string>();
      const ec2 = await this.clients.ec2();
      const instanceIds = [...ids.values()].filter((id) => id.startsWith("i-"));
      for (let i = 0; i < instanceIds.length; i += 100) {
        const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds.slice(i, i + 100) }));
        for (const r of d.Reservations ?? []) for (const inst of r.Instances ?? []) if (inst.InstanceLifecycle === "spot" && inst.InstanceId) spot.add(inst.InstanceId);
      }
      return [...ids].map(([containerInstanceArn, ec2InstanceId]) => ({ containerInstanceArn, ec2InstanceId, spot: spot.has(ec2InstanceId) }));
    });
  }

  /** The instance's user data as text ("" when it has none). */
  userData(instanceId: string): Promise<string> {
    return this.once(`userData:${instanceId}`, async () => {
      const ec2 = await this.clients.ec2();
      const d = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: "userData" }));
      const value = d.UserData?.Value;
      return value ? Buffer.from(value, "base64").toString("utf8") : "";
    });
  }

  /** A target group's attributes by key. */
  targetGroupAttributes(arn: string): Promise<Map<string, string>> {
    return this.once(`tga:${arn}`, async () => {
      const elb = await this.clients.elbv2();
      const d = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      return new Map((d.Attributes ?? []).flatMap((a) => (a.Key ? [[a.Key, a.Value ?? ""] as const] : [])));
    });
  }

  /** The rules on the default event bus, with their targets' ARNs. */
  rules(): Promise<RuleView[]> {
    return this.once("rules", async () => {
      const events = await this.clients.events();
      const out: RuleView[] = [];
      // EventBridge's model declares no paginator for ListRules: follow NextToken by hand.
      let nextToken: string | undefined;
      do {
        const page = await events.send(new ListRulesCommand(nextToken ? { NextToken: nextToken } : {}));
        for (const r of page.Rules ?? []) {
          if (!r.Name || r.State === "DISABLED") continue;
          const t = await events.send(new ListTargetsByRuleCommand({ Rule: r.Name }));
          out.push({ name: r.Name, eventPattern: r.EventPattern, targets: (t.Targets ?? []).flatMap((x) => (x.Arn ? [x.Arn] : [])) });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return out;
    });
  }

  /** Whether EventBridge says the pattern matches the event (TestEventPattern: EventBridge's own matcher). */
  async patternMatches(pattern: string, event: Record<string, unknown>): Promise<boolean> {
    const events = await this.clients.events();
    return (await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) }))).Result === true;
  }

  /** The account's Auto Scaling groups with the EC2 instances in each. */
  autoScalingGroups(): Promise<GroupView[]> {
    return this.once("asgs", async () => {
      const asg = await this.clients.autoScaling();
      const out: GroupView[] = [];
      for await (const page of paginateDescribeAutoScalingGroups({ client: asg }, {})) {
        for (const g of page.AutoScalingGroups ?? []) {
          if (g.AutoScalingGroupName) out.push({ name: g.AutoScalingGroupName, instanceIds: (g.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])) });
        }
      }
      return out;
    });
  }

  /** A group's lifecycle hooks (DescribeLifecycleHooks answers them all at once: it has no pages). */
  lifecycleHooks(groupName: string): Promise<LifecycleHook[]> {
    return this.once(`hooks:${groupName}`, async () => {
      const asg = await this.clients.autoScaling();
      return (await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: groupName }))).LifecycleHooks ?? [];
    });
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      this.memo.set(key, p);
    }
    return p;
  }
}
