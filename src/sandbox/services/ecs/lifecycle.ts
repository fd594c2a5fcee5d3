/**
 * A task's life on its host, as ECS and the agent run it:
 * start:  PROVISIONING -> PENDING (image pull, container start) -> ACTIVATING (load balancer
 *         registration) -> RUNNING;
 * stop:   desiredStatus STOPPED -> DEACTIVATING (deregistered from the target group, the
 *         deregistration delay passes) -> STOPPING (SIGTERM; the app exits after its shutdown
 *         time, or SIGKILL after stopTimeout) -> DEPROVISIONING -> STOPPED.
 * A task whose host dies loses its processes at once; ECS marks it STOPPED when it learns the
 * host is gone. A Fargate Spot interruption (interrupt) sends SIGTERM with its warning, while the
 * task leaves its target group, rather than after the deregistration delay.
 * A Fargate task's ENI is PRECREATED while it provisions, ATTACHED from PENDING, DELETED at STOPPED.
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { Task, TaskStatus, StopCode } from "./model.js";

/** ENI attachment and the agent's bookkeeping around a task's start and end (modelled, not AWS constants). */
export const PROVISIONING_MS = { EC2: 1_000, FARGATE: 8_000 } as const;
export const ACTIVATING_MS = 500;
export const DEPROVISIONING_MS = { EC2: 1_000, FARGATE: 5_000 } as const;

export interface LifecycleHooks {
  /** lastStatus or desiredStatus changed (the event is emitted by the hook). */
  changed(task: Task): void;
  /** The task reached STOPPED: free its resources. */
  stopped(task: Task): void;
  /** The task failed to start: a failed task of its deployment. */
  failed(task: Task): void;
  /** The app came up; register it with the load balancer if the service has one. */
  registerTarget(task: Task): boolean;
  /** Deregister from the load balancer; `done` runs when the target is unused. */
  deregisterTarget(task: Task, done: () => void): boolean;
  /** Mounts the task's volumes now; why it failed (a stoppedReason), or undefined when they are mounted. */
  mountVolumes(task: Task): string | undefined;
  /** The task's volumes are unmounted (it stopped). */
  unmountVolumes(task: Task): void;
}

export class TaskLifecycle {
  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly hooks: LifecycleHooks,
  ) {}

  launch(task: Task): void {
    const spec = task.definition.spec;
    this.later(task, PROVISIONING_MS[task.launchType], () => {
      task.connectivityAt = this.kernel.now();
      task.pullStartedAt = this.kernel.now();
      if (task.eni) task.eni.status = "ATTACHED";
      this.move(task, "PENDING");
      // Volumes are set up before the image pull: a mount that fails stops the task there.
      const mountFailure = this.hooks.mountVolumes(task);
      if (mountFailure !== undefined) {
        this.failToStart(task, mountFailure);
        return;
      }
      this.later(task, spec.startup, () => {
        const now = this.kernel.now();
        task.pullStoppedAt = task.pullStartedAt! + (spec.imagePull ?? Math.max(0, spec.startup - 1_000));
        if (spec.failure === "exits-at-start") {
          this.exitAtStart(task);
          return;
        }
        task.startedAt = now;
        // A revision that fails its health checks runs but never answers them.
        if (spec.failure !== "fails-health-checks") task.app?.start();
        for (const p of task.sidecars) p.start(now);
        if (this.hooks.registerTarget(task)) {
          this.move(task, "ACTIVATING");
          this.later(task, ACTIVATING_MS, () => this.move(task, "RUNNING"));
        } else {
          this.move(task, "RUNNING");
        }
      });
    });
  }

  /** Asks the task to stop; a task already stopping keeps its first reason. */
  stop(task: Task, stopCode: StopCode, reason: string): void {
    if (task.desiredStatus === "STOPPED" || task.lastStatus === "STOPPED") return;
    this.cancel(task);
    task.desiredStatus = "STOPPED";
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = this.kernel.now();
    if (task.hostLost) {
      this.hooks.changed(task);
      return;
    }
    if (task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING") {
      // Nothing runs yet: tear down without signals.
      this.hooks.changed(task);
      this.deprovision(task);
      return;
    }
    // An idle target deregisters at once (no in-flight requests): DEACTIVATING still comes first.
    let deregistering = false;
    let unused = false;
    if (this.hooks.deregisterTarget(task, () => (deregistering ? this.signal(task) : (unused = true)))) {
      deregistering = true;
      this.move(task, "DEACTIVATING");
      if (unused) this.signal(task);
    } else {
      this.hooks.changed(task);
      this.signal(task);
    }
  }

  /**
   * Fargate Spot's two-minute warning: the task state change says desiredStatus STOPPED while it
   * still runs, its containers get SIGTERM at once and its target starts draining at the same time
   * (knowledge-center/fargate-spot-termination-notice: the warning "is sent as a task state change
   * event to Amazon EventBridge and as a SIGTERM signal to the running task"); SIGKILL after stopTimeout.
   */
  interrupt(task: Task, stopCode: StopCode, reason: string): void {
    if (task.desiredStatus === "STOPPED" || task.lastStatus === "STOPPED") return;
    if (task.lastStatus !== "RUNNING" && task.lastStatus !== "ACTIVATING") {
      this.stop(task, stopCode, reason);
      return;
    }
    this.cancel(task);
    task.desiredStatus = "STOPPED";
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = this.kernel.now();
    this.hooks.changed(task);
    this.hooks.deregisterTarget(task, () => {});
    this.signal(task);
  }

  /**
   * The essential container exited as it started: the task stops without reaching RUNNING
   * (stopCode EssentialContainerExited), a failed task of its deployment.
   */
  private exitAtStart(task: Task): void {
    const now = this.kernel.now();
    task.failure = "start";
    task.exitCode = 1;
    task.desiredStatus = "STOPPED";
    task.stopCode = "EssentialContainerExited";
    task.stoppedReason = "Essential container in task exited";
    task.stoppingAt = now;
    task.executionStoppedAt = now;
    this.hooks.changed(task);
    this.hooks.failed(task);
    this.deprovision(task);
  }

  /** The task could not set up what it needs to start (stopCode TaskFailedToStart), a failed task of its deployment. */
  private failToStart(task: Task, reason: string): void {
    const now = this.kernel.now();
    task.failure = "start";
    task.desiredStatus = "STOPPED";
    task.stopCode = "TaskFailedToStart";
    task.stoppedReason = reason;
    task.stoppingAt = now;
    task.executionStoppedAt = now;
    this.hooks.changed(task);
    this.hooks.failed(task);
    this.deprovision(task);
  }

  /** The host died: the task's processes are gone now. ECS finds out later (markStopped). */
  hostLost(task: Task): void {
    if (task.lastStatus === "STOPPED" || task.hostLost) return;
    task.hostLost = true;
    this.cancel(task);
    task.app?.exit(this.kernel.now());
    for (const p of task.sidecars) p.exit(this.kernel.now(), false);
    task.executionStoppedAt = this.kernel.now();
  }

  /** ECS has learned that the task's host is gone: STOPPED at once. */
  markStopped(task: Task, stopCode: StopCode, reason: string): void {
    if (task.lastStatus === "STOPPED") return;
    this.cancel(task);
    if (task.desiredStatus !== "STOPPED") {
      task.desiredStatus = "STOPPED";
      task.stopCode = stopCode;
      task.stoppedReason = reason;
      task.stoppingAt = this.kernel.now();
    }
    task.app?.exit(this.kernel.now());
    for (const p of task.sidecars) p.exit(this.kernel.now(), false);
    this.hooks.deregisterTarget(task, () => {});
    task.executionStoppedAt ??= this.kernel.now();
    this.finish(task);
  }

  private signal(task: Task): void {
    if (task.hostLost || task.lastStatus === "STOPPED") return;
    const spec = task.definition.spec;
    task.app?.sigterm(this.kernel.now());
    for (const p of task.sidecars) p.sigterm(this.kernel.now());
    this.move(task, "STOPPING");
    this.kernel.record("ecs", "sigterm", `${task.id}: SIGTERM`, { taskArn: task.arn });
    const graceful = spec.shutdown <= spec.stopTimeout;
    this.later(task, graceful ? spec.shutdown : spec.stopTimeout, () => {
      if (!graceful) this.kernel.record("ecs", "sigkill", `${task.id}: SIGKILL after stopTimeout ${spec.stopTimeout / 1000} s`, { taskArn: task.arn });
      task.exitCode = graceful ? 0 : 137;
      task.app?.exit(this.kernel.now());
      for (const p of task.sidecars) p.exit(this.kernel.now(), graceful);
      task.executionStoppedAt = this.kernel.now();
      this.deprovision(task);
    });
  }

  private deprovision(task: Task): void {
    this.move(task, "DEPROVISIONING");
    this.later(task, DEPROVISIONING_MS[task.launchType], () => this.finish(task));
  }

  private finish(task: Task): void {
    task.stoppedAt = this.kernel.now();
    if (task.eni) task.eni.status = "DELETED";
    this.hooks.unmountVolumes(task);
    task.executionStoppedAt ??= task.stoppedAt;
    this.move(task, "STOPPED");
    this.hooks.stopped(task);
  }

  private move(task: Task, status: TaskStatus): void {
    if (task.lastStatus === status) return;
    task.lastStatus = status;
    this.hooks.changed(task);
  }

  private later(task: Task, ms: number, fn: () => void): void {
    task.cancelTimers.push(this.timers.after(ms, fn));
  }

  private cancel(task: Task): void {
    for (const c of task.cancelTimers) c();
    task.cancelTimers.length = 0;
  }
}
