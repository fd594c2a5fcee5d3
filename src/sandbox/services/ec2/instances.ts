/**
 * EC2 instances: launch, the state machine (pending, running, shutting-down, terminated), tags,
 * AZ and purchase option, and the DescribeInstances view FIS filters read. Every state change is
 * published as the "EC2 Instance State-change Notification" event AWS emits.
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";

export type InstanceState = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

const STATE_CODES: Record<InstanceState, number> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

export interface Instance {
  readonly id: string;
  readonly arn: string;
  readonly type: string;
  readonly az: string;
  readonly lifecycle: "spot" | "on-demand";
  readonly tags: Record<string, string>;
  readonly launchTime: number;
  readonly privateIp: string;
  readonly autoScalingGroup?: string;
  readonly spotRequestId?: string;
  state: InstanceState;
  /** Set when a rebalance recommendation was issued (IMDS events/recommendations/rebalance). */
  rebalanceNoticeAt?: number;
  /** Set when an interruption notice was issued (IMDS spot/instance-action). */
  interruption?: { action: "terminate" | "stop" | "hibernate"; at: number };
}

export interface LaunchSpec {
  type: string;
  az: string;
  lifecycle: "spot" | "on-demand";
  tags: Record<string, string>;
  autoScalingGroup?: string;
  /** How long the instance stays `pending`. */
  bootMs: number;
}

export type InstanceListener = (instance: Instance, previous: InstanceState) => void;

export class Ec2 {
  private readonly byId = new Map<string, Instance>();
  private readonly ordered: Instance[] = [];
  private readonly listeners: InstanceListener[] = [];
  private ipCounter = 10;

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
  ) {}

  /** Called on every state change, after the instance has its new state. */
  onStateChange(listener: InstanceListener): void {
    this.listeners.push(listener);
  }

  launch(spec: LaunchSpec): Instance {
    const id = `i-${this.kernel.hex(17)}`;
    const azIndex = spec.az.charCodeAt(spec.az.length - 1) - 97;
    const n = this.ipCounter++;
    const instance: Instance = {
      id,
      arn: this.kernel.arn("ec2", `instance/${id}`),
      type: spec.type,
      az: spec.az,
      lifecycle: spec.lifecycle,
      tags: { ...spec.tags, ...(spec.autoScalingGroup ? { "aws:autoscaling:groupName": spec.autoScalingGroup } : {}) },
      launchTime: this.kernel.now(),
      privateIp: `10.0.${azIndex * 16 + (n >> 8)}.${n & 0xff}`,
      ...(spec.autoScalingGroup ? { autoScalingGroup: spec.autoScalingGroup } : {}),
      ...(spec.lifecycle === "spot" ? { spotRequestId: `sir-${this.kernel.hex(8)}` } : {}),
      state: "pending",
    };
    this.byId.set(id, instance);
    this.ordered.push(instance);
    this.kernel.record("ec2", "instance-launch", `${id} (${spec.lifecycle} ${spec.type}) pending in ${spec.az}`, { instanceId: id });
    this.publish(instance, "pending");
    this.timers.after(spec.bootMs, () => {
      if (instance.state === "pending") this.setState(instance, "running");
    });
    return instance;
  }

  /** Begins termination: shutting-down now, terminated after `shutdownMs`. */
  terminate(id: string, shutdownMs: number, reason: string): void {
    const instance = this.byId.get(id);
    if (!instance || instance.state === "shutting-down" || instance.state === "terminated") return;
    this.kernel.record("ec2", "instance-terminate", `${id} shutting down: ${reason}`, { instanceId: id });
    this.setState(instance, "shutting-down");
    this.timers.after(shutdownMs, () => this.setState(instance, "terminated"));
  }

  /** Stops an instance (a spot interruption with the stop behaviour). */
  stop(id: string, shutdownMs: number, reason: string): void {
    const instance = this.byId.get(id);
    if (!instance || instance.state !== "running") return;
    this.kernel.record("ec2", "instance-stop", `${id} stopping: ${reason}`, { instanceId: id });
    this.setState(instance, "stopping");
    this.timers.after(shutdownMs, () => this.setState(instance, "stopped"));
  }

  get(id: string): Instance | undefined {
    return this.byId.get(id);
  }

  /** Every instance ever launched, in launch order (terminated ones included, as EC2 lists them for a while). */
  all(): readonly Instance[] {
    return this.ordered;
  }

  /** The instance as DescribeInstances shows it (the shape FIS target filters read). */
  describe(i: Instance): Record<string, unknown> {
    return {
      InstanceId: i.id,
      InstanceType: i.type,
      LaunchTime: this.kernel.iso(i.launchTime),
      Placement: { AvailabilityZone: i.az, Tenancy: "default" },
      PrivateIpAddress: i.privateIp,
      State: { Code: STATE_CODES[i.state], Name: i.state },
      ...(i.lifecycle === "spot" ? { InstanceLifecycle: "spot", SpotInstanceRequestId: i.spotRequestId } : {}),
      Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private setState(instance: Instance, state: InstanceState): void {
    const previous = instance.state;
    if (previous === state) return;
    instance.state = state;
    this.kernel.record("ec2", "instance-state", `${instance.id} ${previous} -> ${state}`, { instanceId: instance.id, state });
    this.publish(instance, state);
    for (const l of this.listeners) l(instance, previous);
  }

  private publish(instance: Instance, state: InstanceState): void {
    this.kernel.emit("aws.ec2", "EC2 Instance State-change Notification", { "instance-id": instance.id, state }, [instance.arn]);
  }
}
