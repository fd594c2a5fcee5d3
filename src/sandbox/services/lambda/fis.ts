/**
 * What FIS can do to Lambda in the sandbox: the resource type aws:lambda:function and the actions
 * aws:lambda:invocation-add-delay and aws:lambda:invocation-error, as src/fis/catalog.ts describes
 * them (aws-semantics.md section 2). Registered on every stack, so the sandbox's FIS knows what the
 * catalog knows; a stack without functions resolves none.
 */
import type { FisRegistry } from "../fis/registry.js";
import { describedAction, describedResourceType } from "../../../fis/catalog.js";
import type { LambdaService } from "./service.js";
import type { InvocationFault } from "./faults.js";
import { forDuration } from "../fis/for-duration.js";

export function registerLambdaFis(registry: FisRegistry, lambdaOf: () => LambdaService | undefined): void {
  registry.addResourceType({
    ...describedResourceType("aws:lambda:function"),
    candidates: () =>
      [...(lambdaOf()?.functions.values() ?? [])].map((f) => ({ arn: f.arn, info: { functionName: f.spec.name }, describe: { FunctionName: f.spec.name, FunctionArn: f.arn, MemorySize: f.spec.memoryMB }, tags: {} })),
  });

  const act = (actionId: string, fault: (p: Record<string, string>) => InvocationFault) =>
    registry.addAction({
      ...describedAction(actionId),
      start(ctx, done, fail) {
        const lambda = lambdaOf();
        if (!lambda) {
          fail("The stack has no Lambda functions.");
          return { stop() {} };
        }
        const f = fault(ctx.parameters);
        const names = (ctx.targets.Functions ?? []).map((r) => r.arn.split(":")[6] ?? "");
        const removes = names.map((n) => lambda.addFault(n, f));
        return forDuration(
          ctx,
          () => {
            for (const remove of removes) remove();
          },
          done,
        );
      },
    });

  act("aws:lambda:invocation-add-delay", (p) => ({ kind: "delay", percentage: Number(p.invocationPercentage ?? 100), delayMs: Number(p.startupDelayMilliseconds ?? 1000) }));
  act("aws:lambda:invocation-error", (p) => ({ kind: "error", percentage: Number(p.invocationPercentage ?? 100), preventExecution: p.preventExecution === "true" }));
}
