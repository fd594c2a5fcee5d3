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
 * - a task that cannot be placed is not created: the service keeps trying and says why in its events.
 * A task is healthy when it is RUNNING and, behind a load balancer, its target is healthy.
 */
import type { Timers } from "../../timers.js";
import type { EcsControlPlane } from "./control-plane.js";
import type { Service, Task } from "./model.js";

export class ServiceScheduler {
  private readonly dirty = new Set<Service>();
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

    // 1. Tasks that have not started on a DRAINING instance stop at once.
    for (const t of active()) {
      if (onDraining(t) && (t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING")) this.ecs.stopTask(t, "ServiceSchedulerInitiated", draining);
    }

    let tasks = active();
    const desired = service.desiredCount;
    const maxTotal = Math.floor((desired * service.maximumPercent) / 100);
    const minHealthy = Math.ceil((desired * service.minimumHealthyPercent) / 100);
    const keep = tasks.filter((t) => !onDraining(t));

    // 2. Scale in: more tasks than desired off DRAINING instances.
    if (keep.length > desired) {
      const excess = [...keep].sort((a, b) => Number(this.isHealthy(a)) - Number(this.isHealthy(b)) || b.createdAt - a.createdAt).slice(0, keep.length - desired);
      const stopped = excess.map((t) => t.id);
      for (const t of excess) this.ecs.stopTask(t, "ServiceSchedulerInitiated", `Scaling activity initiated by (deployment ${service.deploymentId})`);
      this.ecs.serviceEvent(service, `(service ${service.name}) has stopped ${stopped.length} running tasks: ${stopped.map((id) => `(task ${id})`).join(" ")}.`);
      tasks = active();
    }

    // 3. Start missing tasks and replacements, within maximumPercent.
    const missing = desired - tasks.filter((t) => !onDraining(t)).length;
    const room = maxTotal - tasks.length;
    const toStart = Math.min(missing, room);
    const started: string[] = [];
    for (let i = 0; i < toStart; i++) {
      const result = this.ecs.runTask({ cluster, definition: service.definition, service, launchType: service.launchType });
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

    // 4. Stop RUNNING tasks on DRAINING instances while enough healthy tasks remain.
    tasks = active();
    let healthy = tasks.filter((t) => this.isHealthy(t)).length;
    const stopping: string[] = [];
    for (const t of tasks) {
      if (!onDraining(t)) continue;
      const counts = this.isHealthy(t) ? 1 : 0;
      if (healthy - counts < minHealthy) continue;
      healthy -= counts;
      stopping.push(t.id);
      this.ecs.stopTask(t, "ServiceSchedulerInitiated", draining);
    }
    if (stopping.length) this.ecs.serviceEvent(service, `(service ${service.name}) has stopped ${stopping.length} running tasks: ${stopping.map((id) => `(task ${id})`).join(" ")}.`);

    // Steady state: desired tasks all healthy and nothing left on DRAINING instances.
    const now = active();
    const steady = now.length === desired && now.every((t) => this.isHealthy(t) && !onDraining(t));
    if (steady && !service.steady) this.ecs.serviceEvent(service, `(service ${service.name}) has reached a steady state.`);
    service.steady = steady;
  }
}
