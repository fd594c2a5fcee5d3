/**
 * lambda-delay: FIS's `aws:lambda:invocation-add-delay` holds a share of a function's invocations
 * for startupDelayMilliseconds before its handler runs (the delay counts toward the timeout). The
 * closest real stand-in for EFS latency seen from Lambda, which no FIS action reaches.
 */
import { z } from "zod";
import { defineFault } from "./types.js";
import { FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { lambdaInvocationPermissions } from "../iam/fis-actions.js";
import { functionArn, functionTargets, lambdaTarget, resolveFunction, verifyAction, type LambdaTarget } from "./lambda-invocation.js";

const ACTION = "aws:lambda:invocation-add-delay";

const params = z
  .object({
    startupDelayMilliseconds: z.number().int().min(0).max(900_000).default(1000).describe("Delay before the handler runs, in ms").meta({ fis: { action: ACTION, parameter: "startupDelayMilliseconds" } }),
    invocationPercentage: z.number().int().min(1).max(100).default(100).describe("Share of invocations delayed").meta({ fis: { action: ACTION, parameter: "invocationPercentage" } }),
    duration: isoDuration({ minMs: 1_000, maxMs: FIS_MAX_MS, expected: "a duration up to PT12H" }).default("PT5M").describe("How long invocations are delayed").meta({ fis: { action: ACTION, parameter: "duration" } }),
  })
  .strict();

type Params = z.infer<typeof params>;

export default defineFault<Params, LambdaTarget>({
  name: "lambda-delay",
  description: "Delay a Lambda function's invocations (FIS, needs the FIS Lambda extension)",
  params,
  target: lambdaTarget,
  resolve: resolveFunction,
  compile({ params: p, target: t, region, accountId }) {
    return {
      description: `delay ${p.invocationPercentage}% of ${t.function}'s invocations by ${p.startupDelayMilliseconds} ms for ${p.duration}`,
      targets: functionTargets(t, region, accountId),
      actions: {
        delay: {
          actionId: ACTION,
          parameters: { duration: p.duration, invocationPercentage: String(p.invocationPercentage), startupDelayMilliseconds: String(p.startupDelayMilliseconds) },
          targets: { Functions: "functions" },
        },
      },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) => lambdaInvocationPermissions({ functionArns: [functionArn(t.function, region, accountId)] }),
    // verify reads the experiment only (the runner's FIS lifecycle); resolve reads the function.
    runner: ({ target: t, region, accountId }) => [{ why: "resolve the target function", actions: ["lambda:GetFunction"], resources: [functionArn(t.function, region, accountId)] }],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  verify: (ctx) => verifyAction(ctx, "delay"),
});
