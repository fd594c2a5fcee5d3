/**
 * The service scheduler (REPLICA strategy). On every change that matters (a task changed state,
 * an instance registered or started DRAINING, a target's health changed) it reconciles each
 * affected service, once per instant:
 * - tasks not yet running on a DRAINING instance are stopped at once;
 * - missing tasks (below desiredCount, or replacing tasks on DRAINING instances) are started,
 *   never exceeding maximumPercent of desiredCount (rounded down);
 * - RUNNING tasks on DRAINING instances are stopped only while the healthy count stays at or above
 *   minimumHealthyPercent of desiredCount (rounded up): at 100 % the replacement must be healthy
 *   first; below 100 % the scheduler may stop first;
 * - a task that cannot be placed is not created: the service keeps trying and says why in its events;
 * - tasks of older deployments are replaced like those on DRAINING instances (deployments.ts), and
 *   a task whose target is unhealthy past the health check grace period is stopped.
 * A task is healthy when it is RUNNING and, behind a load balancer, its target is healthy.
 */
import type { Timers } from "../../timers.js";
import type { EcsControlPlane } from "./control-plane.js";
import type { Deployment, Service, Task } from "./model.js";
import { deploymentBounds } from "./deployments.js";

export class ServiceScheduler {
  private readonly dirty = new Set<Service>();
  /** Unhealthy tasks still in their grace period, with a pass already scheduled for its end. */
  private readonly graceWatched = new WeakSet<Task>();
  private armed = false;
  private running = false;

  constructor(
    private readonly timers: Timers,
    private readonly ecs: EcsControlPlane,
  ) {
    ecs.onTaskChange((task) => {
      if (task.service) this.poke(task.service);
      // A stopped task frees room for any service in its cluster.
      if (task.lastStatus === "STOPPED") for (const s of task.cluster.services) this.poke(s);
    });
    ecs.onServiceChange((s) => this.poke(s));
    ecs.onContainerInstanceChange((ci) => {
      for (const s of ci.cluster.services) this.poke(s);
    });
    for (const c of ecs.clusters.values()) {
      for (const s of c.services) {
        s.targetGroup?.onHealthChange((target) => {
          const task = c.tasks.find((t) => t.target === target);
          if (task?.service) this.poke(task.service);
        });
      }
    }
  }

  start(): void {
    this.running = true;
    for (const c of this.ecs.clusters.values()) for (const s of c.services) this.poke(s);
    // ECS retries placements it could not make; a periodic pass also catches capacity that frees up quietly.
    this.timers.every(30_000, () => {
      for (const c of this.ecs.clusters.values()) for (const s of c.services) if (!s.steady) this.poke(s);
    });
  }

  stop(): void {
    this.running = false;
  }

  poke(service: Service): void {
    if (!this.running) return;
    this.dirty.add(service);
    if (this.armed) return;
    this.armed = true;
    this.timers.after(0, () => {
      this.armed = false;
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const s of batch) this.reconcile(s);
    });
  }

  isHealthy(task: Task): boolean {
    if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING" || task.hostLost) return false;
    return task.service?.targetGroup ? task.target?.state === "healthy" : true;
  }

  reconcile(service: Service): void {
    const { cluster } = service;
    const draining = "Service " + service.name + ": container instance is in DRAINING state";
    const active = () => cluster.tasks.filter((t) => t.service === service && t.desiredStatus === "RUNNING");
    const onDraining = (t: Task) => t.containerInstance?.status === "DRAINING";
    const primary = service.deployments[0]!;
    const scaling = `Scaling activity initiated by (deployment ${primary.id})`;
    // A task of the PRIMARY deployment off DRAINING instances is one to keep; the rest get replaced.
    const current = (t: Task) => t.deployment === primary && !onDraining(t);

    // 1. Tasks that have not started on a DRAINING instance stop at once.
    for (const t of active()) {
      if (onDraining(t) && (t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING")) this.ecs.stopTask(t, "ServiceSchedulerInitiated", draining);
    }
    this.stopFailingHealthChecks(service, active());

    let tasks = active();
    const desired = service.desiredCount;
    const { maxTotal, minHealthy } = deploymentBounds(desired, service.minimumHealthyPercent, service.maximumPercent);
    const keep = tasks.filter(current);

    // 2. Scale in: more current tasks than desired.
    if (keep.length > desired) {
      const excess = [...keep].sort((a, b) => Number(this.isHealthy(a)) - Number(this.isHealthy(b)) || b.createdAt - a.createdAt).slice(0, keep.length - desired);
      const stopped = excess.map((t) => t.id);
      for (const t of excess) this.ecs.stopTask(t, "ServiceSchedulerInitiated", scaling);
      this.ecs.serviceEvent(service, `(service ${service.name}) has stopped ${stopped.length} running tasks: ${stopped.map((id) => `(task ${id})`).join(" ")}.`);
      tasks = active();
    }

    // 3. Start missing tasks and replacements, within maximumPercent; a FAILED deployment launches no more.
    const missing = primary.rolloutState === "FAILED" ? 0 : desired - tasks.filter(current).length;
    const room = maxTotal - tasks.length;
    const toStart = Math.min(missing, room);
    const started: string[] = [];
    for (let i = 0; i < toStart; i++) {
      const result = this.ecs.runTask({ cluster, definition: primary.definition, service, deployment: primary, launchType: service.launchType });
      if ("failure" in result) {
        const message = `(service ${service.name}) was unable to place a task because no container instance met all of its requirements. ${result.failure.reason} For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;
        if (service.lastPlacementFailure !== message) this.ecs.serviceEvent(service, message);
        service.lastPlacementFailure = message;
        break;
      }
      service.lastPlacementFailure = undefined;
      started.push(result.task.id);
    }
    if (started.length) this.ecs.serviceEvent(service, `(service ${service.name}) has started ${started.length} tasks: ${started.map((id) => `(task ${id})`).join(" ")}.`);

    // 4. Stop tasks to replace (on DRAINING instances, or of older deployments while the newest is
    //    not FAILED) while the healthy count stays at or above minimumHealthyPercent; unhealthy ones first.
    tasks = active();
    for (const t of tasks) {
      if (t.deployment === primary && this.isHealthy(t) && !t.seenHealthy) {
        t.seenHealthy = true;
        this.ecs.deployments.taskHealthy(primary);
      }
    }
    let healthy = tasks.filter((t) => this.isHealthy(t)).length;
    const replaceable = tasks.filter((t) => onDraining(t) || (t.deployment !== primary && primary.rolloutState !== "FAILED"));
    replaceable.sort((a, b) => Number(this.isHealthy(a)) - Number(this.isHealthy(b)));
    const stopping: string[] = [];
    for (const t of replaceable) {
      const counts = this.isHealthy(t) ? 1 : 0;
      if (healthy - counts < minHealthy) continue;
      healthy -= counts;
      stopping.push(t.id);
      this.ecs.stopTask(t, "ServiceSchedulerInitiated", onDraining(t) ? draining : scaling);
    }
    if (stopping.length) this.ecs.serviceEvent(service, `(service ${service.name}) has stopped ${stopping.length} running tasks: ${stopping.map((id) => `(task ${id})`).join(" ")}.`);

    // 5. Deployments: older ones with no task left go INACTIVE; the newest COMPLETES once its
    //    tasks are all healthy and every older task has stopped (not merely been asked to).
    const now = active();
    const notStopped = (d: Deployment) => cluster.tasks.filter((t) => t.service === service && t.deployment === d && t.lastStatus !== "STOPPED").length;
    this.ecs.deployments.settle(service, now.filter((t) => current(t) && this.isHealthy(t)).length, notStopped);

    // Steady state: desired tasks all healthy, all of the newest deployment, nothing on DRAINING instances.
    const steady = now.length === desired && now.every((t) => this.isHealthy(t) && current(t)) && service.deployments.length === 1;
    if (steady && !service.steady) this.ecs.serviceEvent(service, `(service ${service.name}) has reached a steady state.`);
    service.steady = steady;
  }

  /**
   * ECS stops a task whose load balancer target is unhealthy, once its healthCheckGracePeriod since
   * it started has passed (until then failed checks are ignored); such a task counts as a failed
   * task of its deployment. A task whose host died is ECS's to mark STOPPED when it learns of it.
   */
  private stopFailingHealthChecks(service: Service, tasks: Task[]): void {
    const group = service.targetGroup;
    if (!group) return;
    const now = this.ecs.kernel.now();
    for (const t of tasks) {
      if (t.hostLost || t.lastStatus !== "RUNNING" || t.target?.state !== "unhealthy") continue;
      const graceEnds = (t.startedAt ?? now) + service.healthCheckGracePeriodMs;
      if (now < graceEnds) {
        if (!this.graceWatched.has(t)) this.timers.after(graceEnds - now, () => this.poke(service));
        this.graceWatched.add(t);
        continue;
      }
      this.ecs.serviceEvent(service, `(service ${service.name}) (task ${t.id}) is unhealthy in (target-group ${group.arn}) due to (reason Health checks failed).`);
      t.failure = "health";
      this.ecs.stopTask(t, "ServiceSchedulerInitiated", `Task failed ELB health checks in (target-group ${group.arn})`);
      this.ecs.taskFailed(t);
    }
  }
}
