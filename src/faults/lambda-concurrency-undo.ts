/**
 * Undo of the lambda-throttle fault: the function's reserved concurrency goes back to what it was
 * (PutFunctionConcurrency), or is removed when it had none (DeleteFunctionConcurrency), so the
 * function draws on the account's unreserved pool again. Idempotent, as `chaos recover` may run it
 * twice; a function deleted since has nothing to restore.
 */
import { DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "../aws/sdk/lambda.js";
import type { AwsClients } from "../aws/clients.js";

const described = (n: number | undefined) => (n === undefined ? "no reserved concurrency" : `reserved concurrency ${n}`);

export async function restoreFunctionConcurrency(aws: AwsClients, fn: string, previous: number | undefined): Promise<{ ok: boolean; detail: string }> {
  const lambda = await aws.lambda();
  let now: number | undefined;
  try {
    now = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn }))).ReservedConcurrentExecutions;
  } catch (err) {
    if ((err as { name?: string }).name === "ResourceNotFoundException") return { ok: true, detail: `function ${fn} is gone: no concurrency to restore` };
    throw err;
  }
  if (now === previous) return { ok: true, detail: `function ${fn} already has ${described(previous)}` };
  if (previous === undefined) await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: fn }));
  else await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: fn, ReservedConcurrentExecutions: previous }));
  return { ok: true, detail: `function ${fn} has ${described(previous)} again (it had ${described(now)})` };
}
