/**
 * Interactive-session clients (the stack's `sessions`): every `every`, one RunTask of a one-off
 * Fargate task with the session's startedBy; `length` later the client stops it, unless the client
 * was killed mid-session (a `clientKilled` share, drawn per session), in which case only the task's
 * own idle timeout, if it has one, ever stops it. They act on the ECS control plane directly, as
 * the other workloads do: what an operator sees of them is the tasks, through the ECS API.
 */
import type { Random } from "../../random/random.js";
import type { Kernel } from "../kernel.js";
import type { Timers } from "../timers.js";
import type { EcsControlPlane } from "../services/ecs/control-plane.js";
import type { Task } from "../services/ecs/model.js";
import type { SessionSpec } from "../stack/sessions.js";

export class Sessions {
  private readonly cancels: (() => void)[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly ecs: EcsControlPlane,
    private readonly specs: readonly SessionSpec[],
    private readonly random: Random,
  ) {}

  start(): void {
    for (const spec of this.specs) this.cancels.push(this.timers.every(spec.every, () => this.begin(spec)));
  }

  stop(): void {
    for (const c of this.cancels.splice(0)) c();
  }

  private begin(spec: SessionSpec): void {
    const result = this.ecs.runTask({ cluster: this.ecs.cluster(spec.cluster), definition: this.ecs.taskDefinitions.resolve(spec.taskDefinition)!, launchType: "FARGATE", startedBy: spec.startedBy });
    if ("failure" in result) {
      this.kernel.record("sessions", "run-task-failed", `${spec.name}: RunTask failed`, { session: spec.name });
      return;
    }
    const task = result.task;
    const killed = this.random.next() < spec.clientKilled;
    if (!killed) {
      this.timers.after(spec.length, () => this.stopTask(task, "the session ended; the client stopped its task"));
    } else {
      this.kernel.record("sessions", "client-killed", `${spec.name}: the client of ${task.id} was killed mid-session; its cleanup never runs`, { session: spec.name, taskArn: task.arn });
    }
    // The task's own guard: with no session on it for this long, it exits (its essential container ends).
    if (spec.taskIdleTimeout !== undefined) this.timers.after(spec.length + spec.taskIdleTimeout, () => this.stopTask(task, "no session for the idle timeout; the task exited"));
  }

  private stopTask(task: Task, reason: string): void {
    if (task.desiredStatus === "STOPPED") return;
    this.ecs.stopTask(task, "UserInitiated", reason);
  }
}
