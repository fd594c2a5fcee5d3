/**
 * FIS aws:ecs:task-kill-process in the sandbox: killall <processName> inside each target task (on
 * AWS through the task's SSM agent). The processes with a name here are a task's sidecars (the log
 * shipper, named by the stack's `logging[].process`). A sidecar container is essential unless its
 * task definition says otherwise, and that is ECS's default, so when its process dies the task
 * stops (EssentialContainerExited) and the service scheduler replaces it: that is what restarts a
 * killed shipper. SIGKILL ends the process at once (what it held in memory is gone); SIGTERM lets
 * it shut down as it would on a task stop. A task with no such process fails the action, as
 * killall's non-zero exit fails the SSM command.
 */
import type { FisRegistry } from "../fis/registry.js";
import { describedAction } from "../../../fis/catalog.js";
import type { EcsControlPlane } from "./control-plane.js";

export function registerKillProcess(registry: FisRegistry, ecs: EcsControlPlane): void {
  registry.addAction({
    ...describedAction("aws:ecs:task-kill-process"),
    start(ctx, done, fail) {
      const name = ctx.parameters.processName ?? "";
      const signal = ctx.parameters.signal ?? "SIGTERM";
      for (const r of ctx.targets.Tasks ?? []) {
        const cluster = ecs.clusters.get(r.arn.split("/")[1] ?? "");
        const task = cluster ? ecs.findTask(cluster, r.arn) : undefined;
        const processes = task?.lastStatus === "RUNNING" ? task.sidecars.filter((p) => p.name === name) : [];
        if (!task || processes.length === 0) {
          fail(`Failed to kill process ${name} in task ${r.arn}: ${task ? "no process of that name is running" : "the task was not found"}.`);
          return { stop() {} };
        }
        const now = ecs.kernel.now();
        for (const p of processes) {
          if (signal === "SIGKILL") p.exit(now, false);
          else p.sigterm(now);
        }
        ecs.kernel.record("ecs", "kill-process", `${task.id}: ${signal} ${name} (FIS ${ctx.experimentId})`, { taskArn: task.arn });
        ecs.stopTask(task, "EssentialContainerExited", "Essential container in task exited");
      }
      done();
      return { stop() {} };
    },
  });
}
