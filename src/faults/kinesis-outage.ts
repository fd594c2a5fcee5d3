/**
 * A Kinesis outage, as producers saw on 2020-11-25: calls fail (effect `errors`: FIS
 * `aws:fis:inject-api-unavailable-error`, 503 ServiceUnavailable, on every data-plane call the
 * producer role makes) or never answer (effect `timeouts`: FIS `aws:network:disrupt-connectivity`
 * on the producers' subnets, which drops their packets; on AWS that cuts all of the subnets'
 * traffic, so keep the blast radius in mind).
 *
 * FIS runs an action and an experiment for at most 12 hours. A longer outage (the real one lasted
 * about 17) is two fault steps with a pause between them; the compiler says so rather than
 * pretending.
 */
import { z } from "zod";
import { defineFault } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { resolveStreamOrRole, roleArn } from "./kinesis-throttle.js";
import { disruptConnectivityPermissions, injectApiPermissions } from "../iam/fis-actions.js";

const DATA_PLANE = "PutRecord,PutRecords,GetRecords,GetShardIterator,DescribeStreamSummary,ListShards";

const params = z
  .object({
    duration: isoDuration({
      minMs: 60_000,
      maxMs: FIS_MAX_MS,
      expected: "a duration of at least PT1M (FIS's minimum)",
      tooLong: "a duration of at most PT12H: FIS limits an experiment to 12 hours; for a longer outage use two kinesis-outage steps with a pause between them",
    })
      .default("PT5M")
      .describe("How long Kinesis is away (FIS allows at most 12 hours; a longer outage is two steps with a pause between them)")
      .meta({ fis: [{ action: "aws:fis:inject-api-unavailable-error", parameter: "duration", when: "effect errors" }, { action: "aws:network:disrupt-connectivity", parameter: "duration", when: "effect timeouts" }] }),
    effect: z
      .enum(["errors", "timeouts"])
      .default("errors")
      .describe("errors: 503 ServiceUnavailable on every data-plane call the role makes; timeouts: calls never answer (all of the subnets' traffic is cut)")
      .meta({ fis: [{ action: "aws:fis:inject-api-unavailable-error", when: "errors" }, { action: "aws:network:disrupt-connectivity", when: "timeouts" }] }),
  })
  .strict();

const target = z
  .object({
    role: z.string().min(1).optional().describe("Producer IAM role (effect errors)").meta({ fis: { resourceType: "aws:iam:role", field: "resourceArns" } }),
    subnets: z.array(z.string().regex(/^subnet-[0-9a-z]+$/, "a subnet id"))
      .min(1)
      .max(5)
      .optional()
      .describe("Producer subnets (effect timeouts)")
      .meta({ fis: { resourceType: "aws:ec2:subnet", field: "resourceArns" } }),
  })
  .strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

export default defineFault<Params, Target>({
  name: "kinesis-outage",
  description: "Take Kinesis away from producers: errors (503) or timeouts (FIS)",
  params,
  target,
  async resolve({ params: p, target: t, aws, region, accountId, signal }) {
    if (p.effect === "errors" || !t.subnets) return resolveStreamOrRole({ role: t.role }, aws, accountId, signal);
    // The subnets as named (the sandbox has no DescribeSubnets yet); every flow of them is cut.
    const candidates = t.subnets.map((s) => ({ arn: `arn:aws:ec2:${region}:${accountId}:subnet/${s}`, id: s }));
    return {
      lookedFor: "subnets (as named)",
      candidates,
      hits: candidates.length,
      picks: false,
      needsAllow: [{ key: "scopeAll" as const, name: "kinesis-outage", why: `effect timeouts is aws:network:disrupt-connectivity with scope all: on AWS it cuts every flow of ${t.subnets.join(", ")}, not only Kinesis` }],
    };
  },
  compile({ params: p, target: t, region, accountId }) {
    if (p.effect === "errors") {
      if (!t.role) throw new Error("target.role is required for effect errors (the producer's IAM role)");
      return {
        description: `Kinesis unavailable (503) to role ${t.role} for ${p.duration}`,
        targets: { roles: { resourceType: "aws:iam:role", resourceArns: [roleArn(t.role, accountId)], selectionMode: "ALL" } },
        actions: {
          outage: {
            actionId: "aws:fis:inject-api-unavailable-error",
            parameters: { service: "kinesis", operations: DATA_PLANE, percentage: "100", duration: p.duration },
            targets: { Roles: "roles" },
          },
        },
      };
    }
    if (!t.subnets) throw new Error("target.subnets is required for effect timeouts (the producers' subnets)");
    return {
      description: `Kinesis unreachable (timeouts) from ${t.subnets.join(", ")} for ${p.duration}`,
      targets: {
        subnets: { resourceType: "aws:ec2:subnet", resourceArns: t.subnets.map((s) => `arn:aws:ec2:${region}:${accountId}:subnet/${s}`), selectionMode: "ALL" },
      },
      actions: { outage: { actionId: "aws:network:disrupt-connectivity", parameters: { duration: p.duration, scope: "all" }, targets: { Subnets: "subnets" } } },
    };
  },
  permissions: {
    fis: ({ params: p, target: t, region, accountId }) =>
      p.effect === "errors"
        ? injectApiPermissions({ actionId: "aws:fis:inject-api-unavailable-error", service: "kinesis", region, accountId })
        : disruptConnectivityPermissions({ region, accountId, subnetArns: (t.subnets ?? []).map((s) => `arn:aws:ec2:${region}:${accountId}:subnet/${s}`) }),
    // verify only reads the experiment (fis:GetExperiment, in the runner's FIS lifecycle).
    runner: () => [],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async verify(ctx) {
    const action = await actionStatus(ctx, ctx.fault.experimentId!, "outage", ctx.signal);
    const landed = action.status === "running" || action.status === "completed";
    return { landed, detail: landed ? `FIS reports the outage action ${action.status}` : `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
  },
});
