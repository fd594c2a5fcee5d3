/**
 * lambda-error: FIS's `aws:lambda:invocation-error` makes a share of a function's invocations fail
 * (a function error), after running the handler or, with preventExecution, without running it.
 */
import { z } from "zod";
import { defineFault } from "./types.js";
import { FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { lambdaInvocationPermissions } from "../iam/fis-actions.js";
import { functionArn, functionTargets, lambdaTarget, resolveFunction, verifyAction, type LambdaTarget } from "./lambda-invocation.js";

const ACTION = "aws:lambda:invocation-error";

const params = z
  .object({
    invocationPercentage: z.number().int().min(1).max(100).default(100).describe("Share of invocations that fail").meta({ fis: { action: ACTION, parameter: "invocationPercentage" } }),
    preventExecution: z.boolean().default(false).describe("Fail without running the handler").meta({ fis: { action: ACTION, parameter: "preventExecution" } }),
    duration: isoDuration({ minMs: 1_000, maxMs: FIS_MAX_MS, expected: "a duration up to PT12H" }).default("PT5M").describe("How long invocations fail").meta({ fis: { action: ACTION, parameter: "duration" } }),
  })
  .strict();

type Params = z.infer<typeof params>;

export default defineFault<Params, LambdaTarget>({
  name: "lambda-error",
  description: "Make a Lambda function's invocations fail (FIS, needs the FIS Lambda extension)",
  params,
  target: lambdaTarget,
  resolve: resolveFunction,
  compile({ params: p, target: t, region, accountId }) {
    return {
      description: `fail ${p.invocationPercentage}% of ${t.function}'s invocations${p.preventExecution ? " without running the handler" : ""} for ${p.duration}`,
      targets: functionTargets(t, region, accountId),
      actions: {
        error: {
          actionId: ACTION,
          parameters: { duration: p.duration, invocationPercentage: String(p.invocationPercentage), preventExecution: String(p.preventExecution) },
          targets: { Functions: "functions" },
        },
      },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) => lambdaInvocationPermissions({ functionArns: [functionArn(t.function, region, accountId)] }),
    runner: ({ target: t, region, accountId }) => [{ why: "resolve the target function", actions: ["lambda:GetFunction"], resources: [functionArn(t.function, region, accountId)] }],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  verify: (ctx) => verifyAction(ctx, "error"),
});
