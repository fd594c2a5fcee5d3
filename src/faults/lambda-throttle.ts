/**
 * lambda-throttle: a Lambda function's reserved concurrency set low, so that invocations beyond
 * it are refused with 429 TooManyRequestsException (Reason
 * ReservedFunctionConcurrentInvocationLimitExceeded); 0 throttles every invocation, as Lambda's
 * own "Throttle" button does (lambda-concurrency.html). FIS has no Lambda throttle action (its
 * Lambda actions add delay, inject errors or change integration responses), so this fault compiles
 * to no FIS action and calls PutFunctionConcurrency itself. Its undo, in the ledger before the
 * call, puts back the reserved concurrency GetFunctionConcurrency read, or deletes it when the
 * function had none. It stays in force until the run rolls back.
 */
import { z } from "zod";
import { GetFunctionCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "../aws/sdk/lambda.js";
import { defineFault, startEffect } from "./types.js";
import { functionArn, resolveFunction, type LambdaTarget } from "./lambda-invocation.js";

export const NO_FIS_ACTION = "FIS has no Lambda throttle action: this fault compiles to no FIS action; gameday calls Lambda PutFunctionConcurrency itself";

const params = z
  .object({
    reservedConcurrency: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("Reserved concurrency to set: 0 throttles every invocation; a low number throttles what runs beyond it"),
  })
  .strict();

// lambda-delay's target without its FIS mapping: no FIS target is compiled from it.
const target = z
  .object({
    function: z.string().min(1).describe("The Lambda function (name or ARN)"),
  })
  .strict();

type Params = z.infer<typeof params>;

const described = (n: number | undefined) => (n === undefined ? "no reserved concurrency" : `reserved concurrency ${n}`);

export default defineFault<Params, LambdaTarget>({
  name: "lambda-throttle",
  description: `Throttle a Lambda function by setting its reserved concurrency (0: every invocation refused with 429). ${NO_FIS_ACTION}`,
  params,
  target,
  resolve: resolveFunction,
  compile({ params: p, target: t }) {
    return { description: `set ${t.function}'s reserved concurrency to ${p.reservedConcurrency} (${NO_FIS_ACTION})`, targets: {}, actions: {} };
  },
  permissions: {
    // No FIS action, so nothing for the FIS role; gameday itself reads and sets the concurrency.
    fis: () => [],
    runner: ({ target: t, region, accountId }) => [
      {
        why: "lambda-throttle resolves the function, reads and sets its reserved concurrency, and its undo restores or deletes it",
        actions: ["lambda:GetFunction", "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"],
        resources: [functionArn(t.function, region, accountId)],
      },
    ],
  },
  expectedDurationMs: () => 0,
  async prepareUndo(ctx) {
    const lambda = await ctx.aws.lambda();
    const before = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: ctx.target.function }), { abortSignal: ctx.signal as never })).ReservedConcurrentExecutions;
    return [
      {
        description: `put ${ctx.target.function} back on ${described(before)}`,
        undo: { type: "lambda-restore-concurrency", function: ctx.target.function, ...(before !== undefined ? { reservedConcurrency: before } : {}) },
      },
    ];
  },
  async inject(ctx) {
    const lambda = await ctx.aws.lambda();
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: ctx.target.function }), { abortSignal: ctx.signal as never });
    const out = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: ctx.target.function, ReservedConcurrentExecutions: ctx.params.reservedConcurrency }), { abortSignal: ctx.signal as never });
    return {
      targets: [{ targetName: "function", resourceType: "aws:lambda:function", arn: fn.Configuration?.FunctionArn ?? ctx.target.function, info: {} }],
      effect: { reservedConcurrency: out.ReservedConcurrentExecutions },
    };
  },
  // Lambda says the function's reserved concurrency is the one set: throttling follows from it.
  async verify(ctx) {
    const effect = startEffect(ctx.fault) as { reservedConcurrency?: number } | undefined;
    const lambda = await ctx.aws.lambda();
    const now = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: ctx.target.function }), { abortSignal: ctx.signal as never })).ReservedConcurrentExecutions;
    const landed = now === ctx.params.reservedConcurrency && effect?.reservedConcurrency === now;
    return landed
      ? { landed, detail: `${ctx.target.function} has reserved concurrency ${now}${now === 0 ? ": every invocation is throttled" : ""}`, evidence: { reservedConcurrency: now } }
      : { landed, detail: `expected reserved concurrency ${ctx.params.reservedConcurrency} on ${ctx.target.function}, Lambda says ${described(now)}` };
  },
});
