/**
 * What lambda-delay and lambda-error share: the target (one function by name or ARN, resolved to
 * its exact ARN with GetFunction), the FIS target fragment, permissions and verification. On AWS
 * the function needs the FIS Lambda extension layer and AWS_FIS_CONFIGURATION_LOCATION; the
 * extension polls its configuration, so the fault takes 15–60 s to reach full effect (aws-semantics.md 2).
 */
import { z } from "zod";
import { GetFunctionCommand } from "../aws/sdk/lambda.js";
import type { FisTargetJson, FaultContext, Resolution, ResolveInput, Verification } from "./types.js";
import { actionStatus } from "./common.js";

export const lambdaTarget = z
  .object({
    function: z.string().min(1).describe("The Lambda function (name or ARN)").meta({ fis: { resourceType: "aws:lambda:function", field: "resourceArns" } }),
  })
  .strict();

export type LambdaTarget = z.infer<typeof lambdaTarget>;

export function functionArn(fn: string, region: string, accountId: string): string {
  return fn.startsWith("arn:") ? fn : `arn:aws:lambda:${region}:${accountId}:function:${fn}`;
}

export function functionTargets(t: LambdaTarget, region: string, accountId: string): Record<string, FisTargetJson> {
  return { functions: { resourceType: "aws:lambda:function", resourceArns: [functionArn(t.function, region, accountId)], selectionMode: "ALL" } };
}

/** The function by name, as Lambda says (an unknown one resolves to nothing). */
export async function resolveFunction({ target: t, aws, signal }: ResolveInput<unknown, LambdaTarget>): Promise<Resolution> {
  const lambda = await aws.lambda();
  const arn = await lambda
    .send(new GetFunctionCommand({ FunctionName: t.function }), { abortSignal: signal as never })
    .then((out) => out.Configuration?.FunctionArn)
    .catch((err: { name?: string }) => {
      if (err.name === "ResourceNotFoundException") return undefined;
      throw err;
    });
  return { lookedFor: `Lambda function ${t.function}`, candidates: arn ? [{ arn, id: t.function }] : [], hits: 1, picks: false };
}

/** FIS says the action is in force; the effect shows in AWS/Lambda (Duration, Errors), where probes read it. */
export async function verifyAction(ctx: FaultContext<unknown, LambdaTarget>, action: string): Promise<Verification> {
  const status = await actionStatus(ctx, ctx.fault.experimentId!, action, ctx.signal);
  const landed = status.status === "running" || status.status === "completed";
  return { landed, detail: landed ? `FIS reports the ${action} action ${status.status}` : `FIS action ${status.status}: ${status.reason ?? "no reason"}` };
}
