/**
 * FIS's network faults inside ECS tasks and on EC2 hosts: aws:ecs:task-network-latency,
 * aws:ecs:task-network-blackhole-port and aws:ssm:send-command (with an AWSFIS-Run-* document).
 * The sandbox's tasks and hosts do no NFS or other outbound I/O of their own today, so these
 * actions keep the books only: which fault is in force on which task or instance, with its
 * parameters, until its duration ends or the experiment stops (`inForce`, and a trace line each).
 * They refuse what FIS refuses at run time (ecs-task-actions.html): a Fargate task's network action
 * without useEcsFaultInjectionEndpoints=true, and a second network action on a task that has one.
 * When tasks gain NFS I/O, the latency and blackhole actions take effect here.
 */
import { describedAction } from "../../../fis/catalog.js";
import { durationMs } from "../../../fis/duration.js";
import type { FisActionContext, FisRegistry } from "../fis/registry.js";
import type { EcsControlPlane } from "../ecs/control-plane.js";

export interface HostFault {
  actionId: string;
  experimentId: string;
  /** The task or instance ARN. */
  resourceArn: string;
  parameters: Record<string, string>;
}

export class HostFaults {
  private readonly faults = new Set<HostFault>();

  /** Faults in force now, on one resource or on all. */
  inForce(resourceArn?: string): HostFault[] {
    return [...this.faults].filter((f) => resourceArn === undefined || f.resourceArn === resourceArn);
  }

  register(registry: FisRegistry, ecs: EcsControlPlane): void {
    const taskAction = (actionId: string) =>
      registry.addAction({
        ...describedAction(actionId),
        start: (ctx, done, fail) => {
          for (const r of ctx.targets.Tasks ?? []) {
            const cluster = ecs.clusters.get(r.arn.split("/")[1] ?? "");
            const task = cluster ? ecs.findTask(cluster, r.arn) : undefined;
            if (!task) {
              fail(`Task ${r.arn} was not found.`, "InvalidTarget");
              return { stop() {} };
            }
            if (task.launchType === "FARGATE" && ctx.parameters.useEcsFaultInjectionEndpoints !== "true") {
              fail(`Task ${task.id} runs on Fargate: ${actionId} needs useEcsFaultInjectionEndpoints=true there.`, "ConfigurationFailure");
              return { stop() {} };
            }
            if (this.inForce(r.arn).some((f) => f.actionId.startsWith("aws:ecs:task-network-"))) {
              fail(`Task ${task.id} already has a network fault in force; ECS task network actions cannot run in parallel.`, "ConfigurationFailure");
              return { stop() {} };
            }
          }
          return this.hold(ctx, actionId, (ctx.targets.Tasks ?? []).map((r) => r.arn), done);
        },
      });
    taskAction("aws:ecs:task-network-latency");
    taskAction("aws:ecs:task-network-blackhole-port");

    registry.addAction({
      ...describedAction("aws:ssm:send-command"),
      start: (ctx, done) => this.hold(ctx, "aws:ssm:send-command", (ctx.targets.Instances ?? []).map((r) => r.arn), done),
    });
  }

  /** Puts the fault in force on each resource for the action's duration (or until the experiment stops). */
  private hold(ctx: FisActionContext, actionId: string, arns: string[], done: () => void) {
    const held = arns.map((resourceArn) => ({ actionId, experimentId: ctx.experimentId, resourceArn, parameters: { ...ctx.parameters } }));
    for (const f of held) this.faults.add(f);
    const what = actionId === "aws:ssm:send-command" ? `${ctx.parameters.documentArn?.split("/").pop() ?? "a document"} ${ctx.parameters.documentParameters ?? ""}` : JSON.stringify(ctx.parameters);
    ctx.kernel.record("fis", "host-fault", `${actionId} on ${arns.map((a) => a.split("/").pop()).join(", ")}: ${what}`);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      for (const f of held) this.faults.delete(f);
    };
    const cancel = ctx.kernel.clock.setTimer(durationMs(ctx.parameters.duration ?? "")!, () => {
      end();
      done();
    });
    return {
      stop() {
        cancel();
        end();
      },
    };
  }
}
