/**
 * The ECS container agent on each instance of a cluster's Auto Scaling group: it registers the
 * instance once it is running, loses its connection (and the host's containers) when the
 * instance shuts down, and, when the cluster sets ECS_ENABLE_SPOT_INSTANCE_DRAINING, polls IMDS
 * `spot/instance-action` every second and sets its own container instance DRAINING once, through
 * the ECS API like the real agent (aws/amazon-ecs-agent, startSpotInstanceDrainingPoller).
 */
import type { Dispatch } from "../../protocol/types.js";
import { isTransportFailure } from "../../protocol/types.js";
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { Ec2, Instance } from "../ec2/instances.js";
import { answerImds } from "../ec2/imds.js";
import type { EcsControlPlane } from "./control-plane.js";
import { ECS_TARGET_PREFIX } from "./api.js";

export const SPOT_POLL_INTERVAL_MS = 1_000;

export interface AgentPlacement {
  cluster: string;
  registrationDelayMs: number;
}

export class EcsAgents {
  private readonly pollers = new Map<string, () => void>();

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly ec2: Ec2,
    private readonly ecs: EcsControlPlane,
    private readonly dispatch: Dispatch,
    /** Which cluster an instance's agent joins, from its Auto Scaling group; undefined for none. */
    private readonly placementOf: (instance: Instance) => AgentPlacement | undefined,
  ) {
    ec2.onStateChange((instance) => this.onInstance(instance));
  }

  private onInstance(instance: Instance): void {
    const placement = this.placementOf(instance);
    if (!placement) return;
    const ci = this.ecs.containerInstanceOf(instance.id);
    switch (instance.state) {
      case "running":
        if (!ci) this.timers.after(placement.registrationDelayMs, () => this.register(instance, placement.cluster));
        break;
      case "shutting-down":
      case "stopping":
        this.stopPolling(instance.id);
        if (ci) {
          this.ecs.hostLost(ci);
          this.ecs.disconnectAgent(ci);
        }
        break;
      case "terminated":
        if (ci) this.ecs.hostTerminated(ci);
        break;
      case "stopped":
        if (ci) for (const task of [...ci.tasks]) this.ecs.lifecycle.markStopped(task, "TerminationNotice", `Host EC2 (instance ${instance.id}) stopped.`);
        break;
      default:
        break;
    }
  }

  private register(instance: Instance, cluster: string): void {
    if (instance.state !== "running") return;
    const ci = this.ecs.registerContainerInstance(cluster, instance);
    if (ci.cluster.spotInstanceDraining) this.startPolling(instance, ci.arn, cluster);
  }

  private startPolling(instance: Instance, containerInstanceArn: string, cluster: string): void {
    const stop = this.timers.every(SPOT_POLL_INTERVAL_MS, () => {
      if (instance.state !== "running") return this.stopPolling(instance.id);
      const answer = answerImds(this.ec2, instance.id, "/latest/meta-data/spot/instance-action");
      if (answer.status !== 200) return;
      if (this.drainSelf(cluster, containerInstanceArn)) {
        this.kernel.record("ecs-agent", "spot-drain", `${instance.id}: agent saw the spot notice and set its container instance DRAINING`, { instanceId: instance.id });
        this.stopPolling(instance.id);
      }
    });
    this.pollers.set(instance.id, stop);
  }

  private stopPolling(instanceId: string): void {
    this.pollers.get(instanceId)?.();
    this.pollers.delete(instanceId);
  }

  /** UpdateContainerInstancesState(own ARN, DRAINING) through the ECS API; false when the call failed (retried next poll). */
  private drainSelf(cluster: string, containerInstanceArn: string): boolean {
    const outcome = this.dispatch({
      method: "POST",
      path: "/",
      query: {},
      headers: { "x-amz-target": `${ECS_TARGET_PREFIX}.UpdateContainerInstancesState`, "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ cluster, containerInstances: [containerInstanceArn], status: "DRAINING" }),
    });
    return !isTransportFailure(outcome) && outcome.statusCode === 200;
  }
}
