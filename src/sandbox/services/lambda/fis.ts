/**
 * What FIS can do to Lambda in the sandbox: the resource type aws:lambda:function (parameter
 * functionQualifier) and the actions aws:lambda:invocation-add-delay and
 * aws:lambda:invocation-error, with their documented parameters (aws-semantics.md section 2).
 */
import type { FisParameterSpec, FisRegistry } from "../fis/registry.js";
import { durationMs, durationParameter } from "../fis/duration.js";
import type { LambdaService } from "./service.js";
import type { InvocationFault } from "./faults.js";

const integer = (name: string, min: number, max: number, required = false): FisParameterSpec => ({
  required,
  description: `${name}, an integer from ${min} to ${max}.`,
  check: (v) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `expected an integer from ${min} to ${max}, found "${v}"`),
});

const bool: FisParameterSpec = {
  required: false,
  description: "true or false.",
  check: (v) => (v === "true" || v === "false" ? undefined : `expected true or false, found "${v}"`),
};

const duration = durationParameter({ min: "PT1S", max: "PT12H", required: true, description: "The duration of the action." });

export function registerLambdaFis(registry: FisRegistry, lambda: LambdaService): void {
  registry.addResourceType({
    resourceType: "aws:lambda:function",
    description: "AWS Lambda functions",
    parameters: [{ name: "functionQualifier", required: false, description: "A version or alias of the function ($LATEST here)." }],
    acceptsArns: true,
    acceptsTags: true,
    candidates: () =>
      [...lambda.functions.values()].map((f) => ({ arn: f.arn, info: { functionName: f.spec.name }, describe: { FunctionName: f.spec.name, FunctionArn: f.arn, MemorySize: f.spec.memoryMB }, tags: {} })),
  });

  const act = (actionId: string, description: string, parameters: Record<string, FisParameterSpec>, fault: (p: Record<string, string>) => InvocationFault) =>
    registry.addAction({
      actionId,
      description,
      target: { key: "Functions", resourceType: "aws:lambda:function" },
      parameters: { duration, invocationPercentage: integer("Share of invocations affected (default 100)", 1, 100), ...parameters },
      start(ctx, done) {
        const f = fault(ctx.parameters);
        const names = (ctx.targets.Functions ?? []).map((r) => r.arn.split(":")[6] ?? "");
        const removes = names.map((n) => lambda.addFault(n, f));
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          for (const remove of removes) remove();
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
      },
    });

  act(
    "aws:lambda:invocation-add-delay",
    "Delays the start of a share of the target functions' invocations.",
    { startupDelayMilliseconds: integer("Delay before the handler runs, in ms (default 1000)", 0, 900_000) },
    (p) => ({ kind: "delay", percentage: Number(p.invocationPercentage ?? 100), delayMs: Number(p.startupDelayMilliseconds ?? 1000) }),
  );
  act("aws:lambda:invocation-error", "Makes a share of the target functions' invocations fail.", { preventExecution: bool }, (p) => ({
    kind: "error",
    percentage: Number(p.invocationPercentage ?? 100),
    preventExecution: p.preventExecution === "true",
  }));
}
