/**
 * Fargate Spot interruption of a service's tasks. AWS FIS has no action for it (aws-semantics.md
 * 2.1): Fargate Spot gives a two-minute warning as a task state change event with SIGTERM to the
 * task, and SIGKILL after stopTimeout (knowledge-center/fargate-spot-termination-notice).
 *
 * The fault asks the target's FIS (GetAction) whether it offers gameday's own
 * `gameday:ecs:fargate-spot-interrupt` (the sandbox's does; real FIS answers
 * ResourceNotFoundException). Where it does not, the run stops before anything changes (exit 4)
 * unless the step opts into the closest real action, `approximate: stop-task`: FIS
 * `aws:ecs:stop-task` on the same Fargate Spot tasks. That is not the same fault, and the plan says
 * so: no warning event, and SIGTERM only after the target group's deregistration delay.
 * ECS replaces service tasks by itself, so there is nothing to revert.
 */
import { z } from "zod";
import { fisOffers } from "./fis-offers.js";
import { FARGATE_SPOT_INTERRUPT_ACTION } from "../fis/catalog.js";
import { stopTaskPermissions } from "../iam/fis-actions.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";
import { defineFault, type RunServicesAws } from "./types.js";
import { arnId, selectedCount, selectionMode } from "./common.js";
import { PERCENT_ROUNDING } from "./selection-words.js";
import { LANDING_MS, runningTasks, verifyTasksStop } from "./task-stops.js";

const params = z
  .object({
    approximate: z
      .enum(["stop-task"])
      .optional()
      .describe("Where the target's FIS cannot interrupt Fargate Spot (AWS FIS cannot): stop the same tasks with aws:ecs:stop-task instead, which gives no two-minute warning")
      .meta({ fis: { action: "aws:ecs:stop-task" } }),
  })
  .strict();

const target = z
  .object({
    cluster: z.string().min(1).describe("ECS cluster of the service").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.cluster" } }),
    service: z.string().min(1).describe("The service whose tasks on the FARGATE_SPOT capacity provider are candidates").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.service" } }),
    select: selectionMode
      .describe("ALL, COUNT(n) or PERCENT(n) of the service's running Fargate Spot tasks, picked at random (at most 5 per action). " + PERCENT_ROUNDING)
      .meta({ fis: { resourceType: "aws:ecs:task", field: "selectionMode" } }),
  })
  .strict()
  .meta({ fis: { action: FARGATE_SPOT_INTERRUPT_ACTION } });

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

const ACTION_NAME = "interruptSpotTasks";

/** What the approximation is not, said wherever it is planned. */
export const APPROXIMATION_NOTE =
  "AWS FIS has no Fargate Spot interruption; aws:ecs:stop-task approximates it: ECS stops the tasks as StopTask does (SIGTERM after the target group's deregistration delay), with no two-minute warning event and stopCode UserInitiated";

export default defineFault<Params, Target>({
  name: "fargate-spot-interrupt",
  description: "Interrupt a service's Fargate Spot tasks (the target FIS's gameday:ecs:fargate-spot-interrupt; on AWS only approximated, with aws:ecs:stop-task)",
  params,
  target,
  async resolve({ params: p, target: t, aws, signal }) {
    const lookedFor = `running Fargate Spot tasks of service ${t.service} in cluster ${t.cluster}`;
    if (!p.approximate && !(await fisOffers(aws, FARGATE_SPOT_INTERRUPT_ACTION, signal))) {
      return {
        lookedFor,
        candidates: [],
        hits: 0,
        picks: true,
        unavailable:
          `the target's FIS has no ${FARGATE_SPOT_INTERRUPT_ACTION} (GetAction: ResourceNotFoundException): AWS FIS cannot interrupt Fargate Spot tasks. ` +
          "To approximate it, set `approximate: stop-task` under the step's `with`: FIS aws:ecs:stop-task on the same tasks, with no two-minute warning event and SIGTERM only after the target group's deregistration delay",
      };
    }
    const tasks = await runningTasks(await aws.ecs(), t.cluster, t.service, signal);
    const candidates = tasks.filter((task) => task.capacityProviderName === "FARGATE_SPOT").map((task) => ({ arn: task.taskArn!, id: arnId(task.taskArn!) }));
    return { lookedFor, candidates, hits: selectedCount(t.select, candidates.length), picks: true, consumes: true, maxArns: 5 };
  },
  compile({ params: p, target: t, chosen }) {
    const what = `${chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} Fargate Spot task(s)`} of service ${t.service} in cluster ${t.cluster}`;
    return {
      description: p.approximate ? `stop ${what} (${APPROXIMATION_NOTE})` : `interrupt ${what} as Fargate Spot does`,
      targets: {
        spotTasks: chosen
          ? { resourceType: "aws:ecs:task", resourceArns: chosen.map((c) => c.arn), selectionMode: "ALL" }
          : {
              resourceType: "aws:ecs:task",
              parameters: { cluster: t.cluster, service: t.service },
              // DescribeTasks' capacityProviderName, in FIS's PascalCase filter path.
              filters: [{ path: "CapacityProviderName", values: ["FARGATE_SPOT"] }],
              selectionMode: t.select,
            },
      },
      actions: { [ACTION_NAME]: { actionId: p.approximate ? "aws:ecs:stop-task" : FARGATE_SPOT_INTERRUPT_ACTION, targets: { Tasks: "spotTasks" } } },
    };
  },
  permissions: {
    // The sandbox-only action never reaches real FIS, so the FIS role needs nothing for it; the approximation is aws:ecs:stop-task's.
    fis: ({ params: p, target: t, region, accountId }) => (p.approximate ? stopTaskPermissions({ region, accountId, cluster: t.cluster }) : []),
    runner: ({ params: p, target: t, region, accountId }) => [
      ...(p.approximate ? [] : [{ why: "fargate-spot-interrupt asks FIS whether it offers the interruption", actions: ["fis:GetAction"], resources: [`arn:aws:fis:${region}:${accountId}:action/*`] }]),
      ...ecsClusterReads({ region, accountId, cluster: t.cluster, what: ["tasks"], why: "fargate-spot-interrupt finds the Fargate Spot tasks and checks they stop" }),
    ],
  },
  // The FIS action ends at once; this bounds the landing check, which may wait out a stop timeout (at most 120 s on Fargate).
  expectedDurationMs: () => LANDING_MS,
  verify: (ctx) => verifyTasksStop(ctx, ACTION_NAME),
});
