/**
 * Kinesis throttling through FIS, in one of the two ways FIS offers:
 * - on a stream: `aws:kinesis:stream-provisioned-throughput-exception` (ProvisionedThroughputExceeded
 *   on GetRecords, GetShardIterator, PutRecord and PutRecords of that stream, for every caller);
 * - on a producer's IAM role: `aws:fis:inject-api-throttle-error` with service kinesis (ThrottlingException
 *   on the named operations, only for calls that role makes).
 * Both end by themselves after `duration`; stopping the experiment (the ledger's undo) ends them early.
 */
import { z } from "zod";
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { defineFault, type Resolution, type RunServicesAws } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { injectApiPermissions, kinesisStreamErrorPermissions } from "../iam/fis-actions.js";

const params = z
  .object({
    percentage: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(100)
      .describe("Share of calls that fail")
      .meta({ fis: [{ action: "aws:kinesis:stream-provisioned-throughput-exception", parameter: "percentage", when: "stream" }, { action: "aws:fis:inject-api-throttle-error", parameter: "percentage", when: "role" }] }),
    duration: isoDuration({ minMs: 60_000, maxMs: FIS_MAX_MS, expected: "a duration between PT1M and PT12H (FIS's limits)" })
      .default("PT5M")
      .describe("How long calls fail")
      .meta({ fis: [{ action: "aws:kinesis:stream-provisioned-throughput-exception", parameter: "duration", when: "stream" }, { action: "aws:fis:inject-api-throttle-error", parameter: "duration", when: "role" }] }),
    operations: z.array(z.enum(["PutRecord", "PutRecords", "GetRecords", "GetShardIterator"]))
      .min(1)
      .default(["PutRecord", "PutRecords"])
      .describe("Operations throttled (role form only; the stream form fails GetRecords, GetShardIterator, PutRecord and PutRecords)")
      .meta({ fis: { action: "aws:fis:inject-api-throttle-error", parameter: "operations", when: "role; comma-separated" } }),
  })
  .strict();

const target = z
  .object({
    stream: z
      .string()
      .min(1)
      .optional()
      .describe("Throttle this stream for every caller (give stream or role)")
      .meta({ fis: [{ action: "aws:kinesis:stream-provisioned-throughput-exception" }, { resourceType: "aws:kinesis:stream", field: "resourceArns" }] }),
    role: z
      .string()
      .min(1)
      .optional()
      .describe("Throttle only calls made by this IAM role (name or ARN)")
      .meta({ fis: [{ action: "aws:fis:inject-api-throttle-error" }, { resourceType: "aws:iam:role", field: "resourceArns" }] }),
  })
  .strict()
  .refine((t) => (t.stream === undefined) !== (t.role === undefined), { message: "exactly one of stream or role", path: ["stream"] });

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

export function roleArn(role: string, accountId: string): string {
  return role.startsWith("arn:") ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

/**
 * A stream by name -> its ARN, as Kinesis says (an unknown stream resolves to nothing); a role is
 * taken as named: its ARN is exact, and IAM is not asked.
 */
export async function resolveStreamOrRole(t: { stream?: string | undefined; role?: string | undefined }, aws: RunServicesAws, accountId: string, signal?: AbortSignal): Promise<Resolution> {
  if (t.role) return { lookedFor: `IAM role ${t.role} (as named)`, candidates: [{ arn: roleArn(t.role, accountId), id: t.role }], hits: 1, picks: false };
  const kinesis = await aws.kinesis();
  const arn = await kinesis
    .send(new DescribeStreamSummaryCommand({ StreamName: t.stream! }), { abortSignal: signal as never })
    .then((out) => out.StreamDescriptionSummary?.StreamARN)
    .catch((err: { name?: string }) => {
      if (err.name === "ResourceNotFoundException") return undefined;
      throw err;
    });
  return { lookedFor: `Kinesis stream named ${t.stream}`, candidates: arn ? [{ arn, id: t.stream! }] : [], hits: 1, picks: false };
}

export default defineFault<Params, Target>({
  name: "kinesis-throttle",
  description: "Throttle Kinesis for a stream or for a producer's role (FIS)",
  params,
  target,
  resolve: ({ target: t, aws, accountId, signal }) => resolveStreamOrRole(t, aws, accountId, signal),
  compile({ params: p, target: t, region, accountId }) {
    if (t.stream) {
      return {
        description: `throttle ${p.percentage}% of calls on Kinesis stream ${t.stream} for ${p.duration}`,
        targets: { streams: { resourceType: "aws:kinesis:stream", resourceArns: [`arn:aws:kinesis:${region}:${accountId}:stream/${t.stream}`], selectionMode: "ALL" } },
        actions: {
          throttle: {
            actionId: "aws:kinesis:stream-provisioned-throughput-exception",
            parameters: { duration: p.duration, percentage: String(p.percentage) },
            targets: { KinesisStreams: "streams" },
          },
        },
      };
    }
    return {
      description: `throttle ${p.percentage}% of ${p.operations.join(", ")} calls by role ${t.role} for ${p.duration}`,
      targets: { roles: { resourceType: "aws:iam:role", resourceArns: [roleArn(t.role!, accountId)], selectionMode: "ALL" } },
      actions: {
        throttle: {
          actionId: "aws:fis:inject-api-throttle-error",
          parameters: { service: "kinesis", operations: p.operations.join(","), percentage: String(p.percentage), duration: p.duration },
          targets: { Roles: "roles" },
        },
      },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) =>
      t.stream
        ? kinesisStreamErrorPermissions({ streamArns: [`arn:aws:kinesis:${region}:${accountId}:stream/${t.stream}`] })
        : injectApiPermissions({ actionId: "aws:fis:inject-api-throttle-error", service: "kinesis", region, accountId }),
    // verify only reads the experiment (fis:GetExperiment, in the runner's FIS lifecycle).
    runner: () => [],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async verify(ctx) {
    // Seeing the throttling would mean writing to the user's stream; the kinesis-health probe measures
    // it from the outside. Here: FIS says the action is in force.
    const action = await actionStatus(ctx, ctx.fault.experimentId!, "throttle", ctx.signal);
    const landed = action.status === "running" || action.status === "completed";
    return { landed, detail: landed ? `FIS reports the throttling action ${action.status}` : `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
  },
});
