/**
 * An ALB target group: registration, health checks, deregistration delay and routing, as the
 * Elastic Load Balancing documentation describes them:
 * - a new target is `initial` until it passes healthyThreshold consecutive checks;
 * - a target is marked unhealthy after unhealthyThreshold consecutive failed checks;
 * - requests go round robin to healthy targets; when every registered target is unhealthy the
 *   group fails open and routes to all of them; with no healthy or unhealthy target registered
 *   (none at all, or only initial or draining ones) the load balancer answers 503;
 * - a deregistering target gets no new requests; it turns `unused` after the deregistration delay,
 *   or at once when it has nothing in flight and no open connections (no request within the idle
 *   timeout).
 */
import type { Kernel } from "../kernel.js";
import type { Timers } from "../timers.js";
import type { TargetGroupSpec } from "../stack/elb.js";
import type { WebApp } from "./web-app.js";

export type TargetHealth = "initial" | "healthy" | "unhealthy" | "draining" | "unused";

export interface Target {
  readonly id: string;
  readonly app: WebApp;
  state: TargetHealth;
  okStreak: number;
  failStreak: number;
  lastRequestAt: number;
  stopChecks: () => void;
}

export type HealthListener = (target: Target, previous: TargetHealth) => void;

export class TargetGroup {
  readonly arn: string;
  private readonly targets: Target[] = [];
  private readonly listeners: HealthListener[] = [];
  private rr = 0;

  constructor(
    readonly spec: TargetGroupSpec,
    private readonly kernel: Kernel,
    private readonly timers: Timers,
  ) {
    this.arn = kernel.arn("elasticloadbalancing", `targetgroup/${spec.name}/${kernel.hex(16)}`);
  }

  onHealthChange(listener: HealthListener): void {
    this.listeners.push(listener);
  }

  registered(): readonly Target[] {
    return this.targets;
  }

  register(id: string, app: WebApp): Target {
    const target: Target = { id, app, state: "initial", okStreak: 0, failStreak: 0, lastRequestAt: -Infinity, stopChecks: () => {} };
    this.targets.push(target);
    const hc = this.spec.healthCheck;
    target.stopChecks = this.timers.every(hc.interval, () => this.check(target));
    this.kernel.record("alb", "target-registered", `${this.spec.name}: registered ${id}`, { targetGroup: this.spec.name, target: id });
    return target;
  }

  /** Starts deregistration; `onUnused` runs when the target is removed. */
  deregister(target: Target, onUnused: () => void): void {
    if (target.state === "draining" || target.state === "unused") return;
    this.setState(target, "draining");
    const now = this.kernel.now();
    const idle = now - target.lastRequestAt >= this.spec.idleTimeout && target.app.inFlight(now) === 0;
    const finish = (): void => {
      target.stopChecks();
      const i = this.targets.indexOf(target);
      if (i >= 0) this.targets.splice(i, 1);
      this.setState(target, "unused");
      onUnused();
    };
    if (idle || this.spec.deregistrationDelay === 0) finish();
    else this.timers.after(this.spec.deregistrationDelay, finish);
  }

  /** The target for a request arriving now, or undefined when the load balancer must answer 503. */
  route(): Target | undefined {
    const list = this.targets;
    const n = list.length;
    let anyUnhealthy = false;
    for (let k = 0; k < n; k++) {
      const t = list[(this.rr + k) % n]!;
      if (t.state === "healthy") {
        this.rr = (this.rr + k + 1) % n;
        return t;
      }
      if (t.state === "unhealthy") anyUnhealthy = true;
    }
    if (!anyUnhealthy) return undefined;
    // Fail open: every registered target is unhealthy, so all of them get requests.
    for (let k = 0; k < n; k++) {
      const t = list[(this.rr + k) % n]!;
      if (t.state === "unhealthy") {
        this.rr = (this.rr + k + 1) % n;
        return t;
      }
    }
    return undefined;
  }

  private check(target: Target): void {
    if (target.state === "draining" || target.state === "unused") return;
    const hc = this.spec.healthCheck;
    if (target.app.healthy) {
      target.failStreak = 0;
      target.okStreak++;
      if (target.state !== "healthy" && target.okStreak >= hc.healthyThreshold) this.setState(target, "healthy");
    } else {
      target.okStreak = 0;
      target.failStreak++;
      if (target.state !== "unhealthy" && target.failStreak >= hc.unhealthyThreshold) this.setState(target, "unhealthy");
    }
  }

  private setState(target: Target, state: TargetHealth): void {
    const previous = target.state;
    if (previous === state) return;
    target.state = state;
    this.kernel.record("alb", "target-health", `${this.spec.name}: ${target.id} ${previous} -> ${state}`, { targetGroup: this.spec.name, target: target.id, state });
    for (const l of this.listeners) l(target, previous);
  }
}
