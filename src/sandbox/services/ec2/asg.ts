/**
 * Auto Scaling groups: launch the desired on-demand and spot instances balanced across AZs at
 * start, and replace an instance after it terminates (in the AZ with the fewest of the group's
 * instances, with the same purchase option), after the group's modelled delay.
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { AutoScalingGroupSpec } from "../../stack/ec2.js";
import type { Ec2, Instance } from "./instances.js";

export class AutoScalingGroup {
  private readonly members = new Set<Instance>();
  private started = false;

  constructor(
    readonly spec: AutoScalingGroupSpec,
    private readonly zones: string[],
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly ec2: Ec2,
  ) {
    ec2.onStateChange((instance) => {
      if (instance.autoScalingGroup !== spec.name || !this.members.has(instance)) return;
      if (instance.state === "terminated" || instance.state === "stopped") {
        this.members.delete(instance);
        if (!this.started) return;
        this.kernel.record("autoscaling", "replace", `${spec.name}: ${instance.id} ${instance.state}; launching a replacement in ${spec.timing.replaceAfter / 1000} s`, { instanceId: instance.id });
        this.timers.after(spec.timing.replaceAfter, () => this.launch(instance.lifecycle));
      }
    });
  }

  /** Launches the group's desired capacity. */
  start(): void {
    this.started = true;
    for (let i = 0; i < this.spec.onDemand.count; i++) this.launch("on-demand");
    for (let i = 0; i < this.spec.spot.count; i++) this.launch("spot");
  }

  stop(): void {
    this.started = false;
  }

  instances(): Instance[] {
    return [...this.members];
  }

  private launch(lifecycle: "spot" | "on-demand"): Instance {
    const purchaseTags = lifecycle === "spot" ? this.spec.spot.tags : this.spec.onDemand.tags;
    const instance = this.ec2.launch({
      type: this.spec.instanceType,
      az: this.leastUsedZone(lifecycle),
      lifecycle,
      tags: { ...this.spec.tags, ...purchaseTags },
      autoScalingGroup: this.spec.name,
      bootMs: this.spec.timing.boot,
    });
    this.members.add(instance);
    return instance;
  }

  /** AZ balance: the zone with the fewest members (of this purchase option, then overall), in order. */
  private leastUsedZone(lifecycle: "spot" | "on-demand"): string {
    let best = this.zones[0]!;
    let bestKey = Infinity;
    for (const zone of this.zones) {
      let same = 0;
      let all = 0;
      for (const m of this.members) {
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
