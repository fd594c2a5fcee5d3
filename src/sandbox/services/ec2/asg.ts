/**
 * Auto Scaling groups: launch the desired on-demand and spot instances balanced across AZs at
 * start, replace an instance that terminates while the group is below its desired capacity (in
 * the AZ with the fewest of the group's instances, with the same purchase option) after the
 * group's modelled delay, and scale in on request (SetDesiredCapacity,
 * TerminateInstanceInAutoScalingGroup), holding each removed instance in Terminating:Wait while
 * its lifecycle hooks run (lifecycle-action.ts).
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { Random } from "../../../random/random.js";
import type { AutoScalingGroupSpec } from "../../stack/ec2.js";
import type { Ec2, Instance } from "./instances.js";
import { ScalingActivities, type ScalingActivity } from "../autoscaling/activities.js";
import { LifecycleAction, type LifecycleResult } from "../autoscaling/lifecycle-action.js";
import { stableUuid } from "../autoscaling/ids.js";
import { AwsServiceError } from "../../protocol/types.js";

export type LifecycleState = "Pending" | "InService" | "Terminating" | "Terminating:Wait" | "Terminating:Proceed";

/** An instance the group is taking out: its activity and its hooks' actions. */
interface Removal {
  readonly instance: Instance;
  readonly activity: ScalingActivity;
  readonly actions: LifecycleAction[];
  proceeding: boolean;
}

export class AutoScalingGroup {
  private readonly members = new Set<Instance>();
  private readonly removals = new Map<string, Removal>();
  private readonly launches = new Map<string, ScalingActivity>();
  readonly activities: ScalingActivities;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  desiredCapacity: number;
  /** Told of every lifecycle action as it starts (the hook's SNS notification target). */
  readonly lifecycleListeners: ((action: LifecycleAction) => void)[] = [];
  private readonly random: Random;
  private started = false;

  constructor(
    readonly spec: AutoScalingGroupSpec,
    private readonly zones: string[],
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly ec2: Ec2,
  ) {
    const capacity = spec.onDemand.count + spec.spot.count;
    this.desiredCapacity = capacity;
    this.minSize = spec.minSize ?? 0;
    this.maxSize = spec.maxSize ?? capacity;
    this.arn = kernel.arn("autoscaling", `autoScalingGroup:${stableUuid(`group:${spec.name}`)}:autoScalingGroupName/${spec.name}`);
    this.activities = new ScalingActivities(kernel, spec.name);
    this.random = kernel.random.fork(`autoscaling:${spec.name}`);
    ec2.onStateChange((instance) => {
      if (instance.autoScalingGroup !== spec.name || !this.members.has(instance)) return;
      if (instance.state === "running") {
        const launch = this.launches.get(instance.id);
        if (launch) this.activities.end(launch, "Successful");
        this.launches.delete(instance.id);
      }
      if (instance.state === "terminated" || instance.state === "stopped") this.gone(instance);
    });
  }

  /** Launches the group's desired capacity. */
  start(): void {
    this.started = true;
    for (let i = 0; i < this.spec.onDemand.count; i++) this.launch("on-demand", "At start the group was created with its desired capacity.");
    for (let i = 0; i < this.spec.spot.count; i++) this.launch("spot", "At start the group was created with its desired capacity.");
  }

  stop(): void {
    this.started = false;
  }

  instances(): Instance[] {
    return [...this.members];
  }

  lifecycleState(instance: Instance): LifecycleState {
    const removal = this.removals.get(instance.id);
    if (removal) return removal.proceeding ? "Terminating:Proceed" : removal.actions.length > 0 ? "Terminating:Wait" : "Terminating";
    return instance.state === "pending" ? "Pending" : "InService";
  }

  /** Members not being removed: what counts against the desired capacity. */
  private active(): Instance[] {
    return [...this.members].filter((i) => !this.removals.has(i.id));
  }

  setDesiredCapacity(desired: number): void {
    if (desired > this.maxSize) throw new AwsServiceError("ValidationError", `New SetDesiredCapacity value ${desired} is above max value ${this.maxSize} for the AutoScalingGroup.`);
    if (desired < this.minSize) throw new AwsServiceError("ValidationError", `New SetDesiredCapacity value ${desired} is below min value ${this.minSize} for the AutoScalingGroup.`);
    const before = this.desiredCapacity;
    this.desiredCapacity = desired;
    const at = this.kernel.iso();
    const cause = `At ${at} a user request explicitly set group desired capacity changing the desired capacity from ${before} to ${desired}.`;
    this.kernel.record("autoscaling", "set-desired-capacity", `${this.spec.name}: desired capacity ${before} -> ${desired}`, { group: this.spec.name, from: before, to: desired });
    let active = this.active();
    while (active.length > desired) {
      const victim = this.chooseForTermination(active);
      this.remove(victim, `${cause}  At ${at} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${active.length} to ${active.length - 1}.  At ${at} instance ${victim.id} was selected for termination.`);
      active = this.active();
    }
    for (let n = active.length; n < desired; n++) this.launch(this.spec.spot.count > 0 ? "spot" : "on-demand", `${cause}  At ${at} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${n} to ${n + 1}.`);
  }

  terminateInstance(instance: Instance, decrement: boolean): void {
    if (this.removals.has(instance.id)) return;
    const at = this.kernel.iso();
    const size = this.active().length;
    if (decrement) {
      if (this.desiredCapacity - 1 < this.minSize) {
        throw new AwsServiceError("ValidationError", `Currently, desiredCapacity=${this.desiredCapacity} and minSize=${this.minSize}, so cannot decrement.`);
      }
      this.desiredCapacity--;
    }
    const shrink = decrement ? `, shrinking the capacity from ${size} to ${size - 1}` : "";
    this.remove(instance, `At ${at} instance ${instance.id} was taken out of service in response to a user request${shrink}.`);
  }

  /** The action of `hookName` on `instanceId` still waiting for a result, or AWS's ValidationError. */
  waitingAction(hookName: string, by: { instanceId?: string; token?: string }): LifecycleAction {
    for (const removal of this.removals.values()) {
      for (const action of removal.actions) {
        if (action.hook.name !== hookName || action.result !== undefined) continue;
        if (by.token !== undefined ? action.token === by.token : action.instanceId === by.instanceId) return action;
      }
    }
    const what = by.token !== undefined ? `token ${by.token}` : `instance ID ${by.instanceId ?? ""}`;
    throw new AwsServiceError("ValidationError", `No active Lifecycle Action found with ${what}`);
  }

  private remove(instance: Instance, cause: string): void {
    const activity = this.activities.begin(`Terminating EC2 instance: ${instance.id}`, cause, { "Availability Zone": instance.az });
    const removal: Removal = { instance, activity, actions: [], proceeding: false };
    this.removals.set(instance.id, removal);
    this.kernel.record("autoscaling", "terminate", `${this.spec.name}: taking ${instance.id} out of service`, { group: this.spec.name, instanceId: instance.id });
    for (const hook of this.spec.lifecycleHooks) {
      const action = new LifecycleAction(this.kernel, this.timers, { group: this.spec.name, groupArn: this.arn, hook, instanceId: instance.id, sequence: this.activities.all().length }, (result) =>
        this.hookDone(removal, result),
      );
      removal.actions.push(action);
    }
    for (const action of removal.actions) {
      action.begin();
      for (const listener of this.lifecycleListeners) listener(action);
    }
    if (removal.actions.length === 0) this.proceed(removal);
    else this.activities.status(activity, "MidLifecycleAction", 50);
  }

  /** A hook's result: ABANDON ends the other hooks too; otherwise the instance proceeds once all have one. */
  private hookDone(removal: Removal, result: LifecycleResult): void {
    if (removal.proceeding) return;
    if (result === "ABANDON") for (const a of removal.actions) a.cancel();
    if (result === "ABANDON" || removal.actions.every((a) => a.result !== undefined)) this.proceed(removal);
  }

  private proceed(removal: Removal): void {
    removal.proceeding = true;
    this.activities.status(removal.activity, "InProgress", 75);
    this.ec2.terminate(removal.instance.id, this.spec.timing.shutdown, `removed by Auto Scaling group ${this.spec.name}`);
  }

  private gone(instance: Instance): void {
    this.members.delete(instance);
    const launch = this.launches.get(instance.id);
    if (launch) this.activities.end(launch, "Cancelled", `Instance ${instance.id} was ${instance.state} before it was in service.`);
    this.launches.delete(instance.id);
    const removal = this.removals.get(instance.id);
    if (removal) {
      for (const a of removal.actions) a.cancel();
      this.activities.end(removal.activity, "Successful");
      this.removals.delete(instance.id);
    }
    if (!this.started || this.active().length >= this.desiredCapacity) return;
    this.kernel.record("autoscaling", "replace", `${this.spec.name}: ${instance.id} ${instance.state}; launching a replacement in ${this.spec.timing.replaceAfter / 1000} s`, { instanceId: instance.id });
    const cause = `At ${this.kernel.iso()} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${this.active().length} to ${this.active().length + 1}.`;
    this.timers.after(this.spec.timing.replaceAfter, () => {
      if (this.active().length < this.desiredCapacity) this.launch(instance.lifecycle, cause);
    });
  }

  private launch(lifecycle: "spot" | "on-demand", cause: string): Instance {
    const purchaseTags = lifecycle === "spot" ? this.spec.spot.tags : this.spec.onDemand.tags;
    const az = this.leastUsedZone(lifecycle);
    const instance = this.ec2.launch({
      type: this.spec.instanceType,
      az,
      lifecycle,
      tags: { ...this.spec.tags, ...purchaseTags },
      autoScalingGroup: this.spec.name,
      bootMs: this.spec.timing.boot,
    });
    this.members.add(instance);
    this.launches.set(instance.id, this.activities.begin(`Launching a new EC2 instance: ${instance.id}`, cause, { "Availability Zone": az }));
    return instance;
  }

  /**
   * The default termination policy, as the User Guide orders it: the AZ with the most instances;
   * then, for a mixed group, the purchase option over its share (on-demand beyond the group's
   * on-demand count, otherwise spot); then the instance closest to its next billing hour; then at
   * random. (Launch template age, step 3 of AWS's policy, does not apply: the sandbox's groups
   * have one launch template.)
   */
  private chooseForTermination(active: Instance[]): Instance {
    const perZone = new Map<string, Instance[]>();
    for (const i of active) perZone.set(i.az, [...(perZone.get(i.az) ?? []), i]);
    const most = Math.max(...[...perZone.values()].map((l) => l.length));
    let pool = active.filter((i) => perZone.get(i.az)!.length === most);
    const onDemand = active.filter((i) => i.lifecycle === "on-demand").length;
    const over: "spot" | "on-demand" = onDemand > this.spec.onDemand.count ? "on-demand" : "spot";
    if (pool.some((i) => i.lifecycle === over)) pool = pool.filter((i) => i.lifecycle === over);
    // One reading of the clock: a scaled clock moves between calls.
    const now = this.kernel.now();
    const intoHour = (i: Instance) => (now - i.launchTime) % 3_600_000;
    const closest = Math.max(...pool.map(intoHour));
    pool = pool.filter((i) => intoHour(i) === closest);
    return pool.length === 1 ? pool[0]! : this.random.pick(pool);
  }

  /** AZ balance: the zone with the fewest members (of this purchase option, then overall), in order. */
  private leastUsedZone(lifecycle: "spot" | "on-demand"): string {
    let best = this.zones[0]!;
    let bestKey = Infinity;
    for (const zone of this.zones) {
      let same = 0;
      let all = 0;
      for (const m of this.active()) {
        if (m.az !== zone) continue;
        all++;
        if (m.lifecycle === lifecycle) same++;
      }
      const key = same * 10_000 + all;
      if (key < bestKey) {
        bestKey = key;
        best = zone;
      }
    }
    return best;
  }
}
