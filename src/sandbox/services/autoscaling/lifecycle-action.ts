/**
 * One lifecycle action: an instance held in Terminating:Wait by one hook. It tells subscribers
 * (the "EC2 Instance-terminate Lifecycle Action" EventBridge event), then waits for
 * CompleteLifecycleAction; each RecordLifecycleActionHeartbeat restarts the heartbeat timeout,
 * and when a timeout passes the hook's default result applies (lifecycle-timing.ts).
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { LifecycleHookSpec } from "../../stack/ec2.js";
import { expiresAt, globalTimeoutMs } from "./lifecycle-timing.js";
import { stableUuid } from "./ids.js";

export type LifecycleResult = "CONTINUE" | "ABANDON";

/** How the action ended: by a CompleteLifecycleAction call, or by a timeout's default result. */
export type LifecycleEnding = "completed" | "heartbeat-timeout" | "global-timeout";

export interface LifecycleActionSubject {
  group: string;
  groupArn: string;
  hook: LifecycleHookSpec;
  instanceId: string;
  /** Makes the token unique among the group's actions. */
  sequence: number;
}

export class LifecycleAction {
  readonly hook: LifecycleHookSpec;
  readonly instanceId: string;
  readonly token: string;
  startedAt = 0;
  lastHeartbeatAt = 0;
  result: LifecycleResult | undefined;
  ending: LifecycleEnding | undefined;
  private cancelTimer: () => void = () => {};

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly subject: LifecycleActionSubject,
    private readonly onResult: (result: LifecycleResult) => void,
  ) {
    this.hook = subject.hook;
    this.instanceId = subject.instanceId;
    this.token = stableUuid(`${subject.group}:${subject.hook.name}:${subject.instanceId}:${subject.sequence}`);
  }

  begin(): void {
    this.startedAt = this.lastHeartbeatAt = this.kernel.now();
    this.arm();
    this.kernel.record("autoscaling", "lifecycle-action", `${this.subject.group}: ${this.instanceId} Terminating:Wait for hook ${this.hook.name} (heartbeat ${this.hook.heartbeatTimeout / 1000} s, global ${globalTimeoutMs(this.hook.heartbeatTimeout) / 1000} s, default ${this.hook.defaultResult})`, {
      group: this.subject.group,
      hook: this.hook.name,
      instanceId: this.instanceId,
    });
    this.kernel.emit("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action", this.detail(), [this.subject.groupArn]);
  }

  /** The notification body AWS sends (EventBridge `detail`, and the SNS message's fields). */
  detail(): Record<string, unknown> {
    return {
      Origin: "AutoScalingGroup",
      Destination: "EC2",
      LifecycleActionToken: this.token,
      AutoScalingGroupName: this.subject.group,
      LifecycleHookName: this.hook.name,
      EC2InstanceId: this.instanceId,
      LifecycleTransition: this.hook.transition,
      ...(this.hook.notificationMetadata !== undefined ? { NotificationMetadata: this.hook.notificationMetadata } : {}),
    };
  }

  /** When the default result will apply unless a heartbeat or a result comes first. */
  expiresAt(): number {
    return expiresAt(this.startedAt, this.lastHeartbeatAt, this.hook.heartbeatTimeout);
  }

  heartbeat(): void {
    this.lastHeartbeatAt = this.kernel.now();
    this.arm();
  }

  complete(result: LifecycleResult): void {
    this.finish(result, "completed");
  }

  /** Ends the wait without a result of its own (another hook abandoned, or the instance is gone). */
  cancel(): void {
    this.cancelTimer();
    this.result ??= "ABANDON";
  }

  private arm(): void {
    this.cancelTimer();
    const at = this.expiresAt();
    const global = at === this.startedAt + globalTimeoutMs(this.hook.heartbeatTimeout);
    this.cancelTimer = this.timers.after(at - this.kernel.now(), () => this.finish(this.hook.defaultResult, global ? "global-timeout" : "heartbeat-timeout"));
  }

  private finish(result: LifecycleResult, ending: LifecycleEnding): void {
    if (this.result !== undefined) return;
    this.cancelTimer();
    this.result = result;
    this.ending = ending;
    this.kernel.record("autoscaling", "lifecycle-result", `${this.subject.group}: ${this.instanceId} hook ${this.hook.name}: ${result} (${ending})`, {
      group: this.subject.group,
      hook: this.hook.name,
      instanceId: this.instanceId,
      result,
      ending,
    });
    this.onResult(result);
  }
}
