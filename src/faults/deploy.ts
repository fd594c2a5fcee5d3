/**
 * An ECS deployment during a game day: UpdateService to a new task definition revision, or
 * forceNewDeployment to redeploy the same one. FIS has no deployment action (its ECS actions stop
 * tasks, drain instances and stress containers), so this fault compiles to no FIS action and calls
 * ECS itself through the client factory, on every target alike. Its undo, in the ledger before the
 * call, puts the service back on the task definition it ran before; a circuit breaker that already
 * rolled back leaves nothing to do.
 */
import { z } from "zod";
import { DescribeServicesCommand, UpdateServiceCommand, type Deployment } from "../aws/sdk/ecs.js";
import { defineFault, startEffect } from "./types.js";
import { clusterArn } from "../iam/fis-actions.js";

export const NO_FIS_ACTION = "FIS has no ECS deployment action: this fault compiles to no FIS action; gameday calls ECS UpdateService itself";

const params = z
  .object({
    taskDefinition: z
      .string()
      .min(1)
      .optional()
      .describe("The revision to deploy: family:revision, a task definition ARN, or a bare family (its latest ACTIVE revision)"),
    forceNewDeployment: z.boolean().default(false).describe("Redeploy the service's current task definition (new tasks, same revision)"),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.taskDefinition === undefined) === !p.forceNewDeployment) {
      ctx.addIssue({ code: "custom", path: p.taskDefinition === undefined ? ["taskDefinition"] : ["forceNewDeployment"], message: "expected either taskDefinition or forceNewDeployment: true, not both and not neither" });
    }
  });

const target = z
  .object({
    cluster: z.string().min(1).describe("The ECS cluster the service runs in"),
    service: z.string().min(1).describe("The ECS service to deploy"),
  })
  .strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

const short = (arn: string | undefined) => (arn ?? "?").slice((arn ?? "").lastIndexOf("/") + 1);

export default defineFault<Params, Target>({
  name: "deploy",
  description: `Deploy an ECS service: UpdateService to a task definition revision, or forceNewDeployment. ${NO_FIS_ACTION}`,
  params,
  target,
  compile({ params: p, target: t }) {
    const what = p.taskDefinition !== undefined ? `deploy ${p.taskDefinition}` : "force a new deployment";
    return { description: `${what} to service ${t.service} in cluster ${t.cluster} (${NO_FIS_ACTION})`, targets: {}, actions: {} };
  },
  permissions: {
    // No FIS action, so nothing for the FIS role; gameday itself reads and updates the service.
    fis: () => [],
    runner: ({ target: t, region, accountId }) => [
      {
        why: "deploy reads the service, deploys it, and its undo deploys the previous task definition",
        actions: ["ecs:DescribeServices", "ecs:UpdateService"],
        resources: [`arn:aws:ecs:${region}:${accountId}:service/${clusterArn(region, accountId, t.cluster).split("/").pop()}/${t.service}`],
      },
    ],
  },
  expectedDurationMs: () => 0,
  async prepareUndo(ctx) {
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeServicesCommand({ cluster: ctx.target.cluster, services: [ctx.target.service] }), { abortSignal: ctx.signal as never });
    const svc = out.services?.[0];
    if (!svc?.taskDefinition) throw new Error(`service ${ctx.target.service} not found in cluster ${ctx.target.cluster}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ""}`);
    return [
      {
        description: `put service ${ctx.target.service} back on ${short(svc.taskDefinition)}`,
        undo: { type: "ecs-restore-task-definition", cluster: ctx.target.cluster, service: ctx.target.service, taskDefinition: svc.taskDefinition },
      },
    ];
  },
  async inject(ctx) {
    const ecs = await ctx.aws.ecs();
    const { cluster, service } = ctx.target;
    const before = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: ctx.signal as never });
    const previous = before.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY")?.id;
    const { taskDefinition, forceNewDeployment } = ctx.params;
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster, service, ...(taskDefinition !== undefined ? { taskDefinition } : {}), ...(forceNewDeployment ? { forceNewDeployment } : {}) }),
      { abortSignal: ctx.signal as never },
    );
    const svc = out.service;
    const primary = svc?.deployments?.find((d) => d.status === "PRIMARY");
    return {
      targets: svc?.serviceArn ? [{ targetName: "service", resourceType: "aws:ecs:service", arn: svc.serviceArn, info: {} }] : [],
      effect: { deploymentId: primary?.id, taskDefinition: primary?.taskDefinition, previousDeploymentId: previous },
    };
  },
  // UpdateService answered with the PRIMARY deployment: landed when it is a new one.
  async verify(ctx) {
    const effect = startEffect(ctx.fault) as { deploymentId?: string; taskDefinition?: string; previousDeploymentId?: string } | undefined;
    if (!effect?.deploymentId) return { landed: false, detail: "UpdateService returned no PRIMARY deployment" };
    if (effect.deploymentId === effect.previousDeploymentId) {
      return { landed: false, detail: `no new deployment: the service already ran ${short(effect.taskDefinition)} (deployment ${effect.deploymentId}); use forceNewDeployment to redeploy it` };
    }
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeServicesCommand({ cluster: ctx.target.cluster, services: [ctx.target.service] }), { abortSignal: ctx.signal as never });
    const now: Deployment | undefined = out.services?.[0]?.deployments?.find((d) => d.id === effect.deploymentId);
    const state = now ? ` (${now.rolloutState ?? "?"})` : " (already replaced)";
    return { landed: true, detail: `deployment ${effect.deploymentId} of ${short(effect.taskDefinition)} started${state}`, evidence: { deploymentId: effect.deploymentId, taskDefinition: effect.taskDefinition } };
  },
});
