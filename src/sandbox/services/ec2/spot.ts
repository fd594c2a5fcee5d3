/**
 * Spot interruptions as EC2 delivers them when FIS sends one (aws:ec2:send-spot-instance-interruptions):
 * the rebalance recommendation at once, the interruption warning two minutes before the
 * interruption time (at once when the notice is two minutes or less), the IMDS documents that
 * go with each, and the interruption itself at the time.
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { Ec2, Instance } from "./instances.js";

export const WARNING_LEAD_MS = 120_000;

export type InterruptionAction = "terminate" | "stop" | "hibernate";

export interface Interruption {
  instanceId: string;
  /** When the instance is interrupted (the `time` in spot/instance-action). */
  at: number;
  cancel(): void;
}

export class SpotInterrupter {
  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly ec2: Ec2,
    /** shutting-down -> terminated for an instance, by its Auto Scaling group (or a default). */
    private readonly shutdownMs: (instance: Instance) => number,
  ) {}

  /**
   * Schedules an interruption `durationBeforeInterruptionMs` from now. Throws for an instance that
   * is unknown, not spot, or not running: FIS can only interrupt running spot instances.
   */
  interrupt(instanceId: string, durationBeforeInterruptionMs: number, action: InterruptionAction = "terminate"): Interruption {
    const instance = this.ec2.get(instanceId);
    if (!instance) throw new Error(`no instance ${instanceId}`);
    if (instance.lifecycle !== "spot") throw new Error(`${instanceId} is an on-demand instance, not a spot instance`);
    if (instance.state !== "running") throw new Error(`${instanceId} is ${instance.state}, not running`);
    const now = this.kernel.now();
    const at = now + durationBeforeInterruptionMs;
    const cancels: (() => void)[] = [];

    instance.rebalanceNoticeAt = now;
    this.kernel.record("ec2", "rebalance-recommendation", `${instanceId}: rebalance recommendation`, { instanceId });
    this.kernel.emit("aws.ec2", "EC2 Instance Rebalance Recommendation", { "instance-id": instanceId }, [instance.arn]);

    const warn = (): void => {
      if (instance.state !== "running") return;
      instance.interruption = { action, at };
      this.kernel.record("ec2", "spot-notice", `${instanceId}: spot interruption warning (${action} at ${this.kernel.iso(at)})`, { instanceId, action, at });
      this.kernel.emit("aws.ec2", "EC2 Spot Instance Interruption Warning", { "instance-id": instanceId, "instance-action": action }, [instance.arn]);
    };
    // Hibernation gets no two-minute lead: the warning comes with the interruption.
    const lead = action === "hibernate" ? 0 : WARNING_LEAD_MS;
    const warnIn = Math.max(0, durationBeforeInterruptionMs - lead);
    if (warnIn === 0) warn();
    else cancels.push(this.timers.after(warnIn, warn));

    cancels.push(
      this.timers.after(durationBeforeInterruptionMs, () => {
        this.kernel.record("ec2", "spot-interruption", `${instanceId}: interrupted (${action})`, { instanceId, action });
        const reason = `Server.SpotInstanceTermination: Spot instance ${action === "terminate" ? "termination" : action}`;
        if (action === "terminate") this.ec2.terminate(instanceId, this.shutdownMs(instance), reason);
        else this.ec2.stop(instanceId, this.shutdownMs(instance), reason);
      }),
    );
    return { instanceId, at, cancel: () => cancels.forEach((c) => c()) };
  }
}
