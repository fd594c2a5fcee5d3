/**
 * lambda-throttle: no FIS action (FIS's Lambda actions delay, fail or change responses; none
 * throttles), so gameday sets the function's reserved concurrency itself with
 * PutFunctionConcurrency (API_PutFunctionConcurrency.html); over it Invoke answers 429
 * TooManyRequestsException with Reason ReservedFunctionConcurrentInvocationLimitExceeded
 * (API_Invoke.html). The ledger's undo puts back what GetFunctionConcurrency read before, or
 * deletes the reservation when there was none (API_DeleteFunctionConcurrency.html).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetFunctionConcurrencyCommand, InvalidParameterValueException, InvokeCommand, PutFunctionConcurrencyCommand, TooManyRequestsException, type LambdaClient } from "@aws-sdk/client-lambda";
import { ListExperimentTemplatesCommand } from "@aws-sdk/client-fis";
import { loadFault } from "../../src/faults/index.js";
import { httpApiEvent } from "../../src/sandbox/services/lambda/wordpress-http.js";
import { rig, type Rig } from "./rig.js";
import { undoFault } from "../../src/faults/undo.js";

const WORDPRESS = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/wordpress.yaml"), "utf8");
const withReserved = (n: number) => WORDPRESS.replace("      timeout: PT30S\n", `      timeout: PT30S\n      reservedConcurrency: ${n}\n`);

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** gameday's client (its retry loop retries a throttle, and is refused each time). */
const lambdaOnce = (r: Rig): Promise<LambdaClient> => r.h.clients.lambda();

const invoke = (r: Rig, lambda: LambdaClient) => lambda.send(new InvokeCommand({ FunctionName: "wordpress", Payload: Buffer.from(JSON.stringify(httpApiEvent("GET", "/", r.h.clock.now()))) }));
const reserved = async (lambda: LambdaClient) => (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "wordpress" }))).ReservedConcurrentExecutions;

describe("lambda-throttle", () => {
  it("compiles to no FIS action and says so", async () => {
    const m = (await loadFault("lambda-throttle"))!;
    const fragment = m.compile({ params: m.params.parse({}), target: m.target.parse({ function: "wordpress" }), configuration: {}, region: "us-east-1", accountId: "111122223333" });
    expect(fragment.actions).toEqual({});
    expect(fragment.description).toBe("set wordpress's reserved concurrency to 0 (FIS has no Lambda throttle action: this fault compiles to no FIS action; gameday calls Lambda PutFunctionConcurrency itself)");
    expect(() => m.params.parse({ reservedConcurrency: -1 })).toThrow();
  });

  it("reservedConcurrency 0 throttles every invocation with 429 (ReservedFunctionConcurrentInvocationLimitExceeded); the undo deletes the reservation it added", async () => {
    r = await rig(WORDPRESS);
    const lambda = await lambdaOnce(r);
    expect((await invoke(r, lambda)).StatusCode).toBe(200);
    expect(await reserved(lambda)).toBeUndefined();
    const started = await r.start("lambda-throttle", { function: "wordpress" }, { reservedConcurrency: 0 });
    expect(started.fault.experimentId).toBeUndefined();
    const fis = await r.h.clients.fis();
    expect((await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? []).toEqual([]);
    expect(await started.verify()).toEqual({ landed: true, detail: "wordpress has reserved concurrency 0: every invocation is throttled", evidence: { reservedConcurrency: 0 } });
    const refused = await invoke(r, lambda).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsException);
    expect(refused).toMatchObject({ Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", Type: "User", $metadata: { httpStatusCode: 429 } });
    expect(await r.undoPending()).toEqual([{ description: "put wordpress back on no reserved concurrency", ok: true, detail: "function wordpress has no reserved concurrency again (it had reserved concurrency 0)" }]);
    expect(await reserved(lambda)).toBeUndefined();
    expect((await invoke(r, lambda)).StatusCode).toBe(200);
  });

  it("a low reservation throttles what runs beyond it; the undo restores the reservation the function had", async () => {
    r = await rig(withReserved(5));
    const lambda = await lambdaOnce(r);
    await r.start("lambda-throttle", { function: "wordpress" }, { reservedConcurrency: 1 });
    const results = await Promise.allSettled([invoke(r, lambda), invoke(r, lambda)]);
    expect(results.map((x) => x.status)).toEqual(["fulfilled", "rejected"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsException);
    expect((await r.undoPending()).map((u) => u.detail)).toEqual(["function wordpress has reserved concurrency 5 again (it had reserved concurrency 1)"]);
    expect(await reserved(lambda)).toBe(5);
    // Run again (as `chaos recover` may): nothing more to do.
    expect(await undoFault({ type: "lambda-restore-concurrency", function: "wordpress", reservedConcurrency: 5 }, r.h.clients)).toEqual({ ok: true, detail: "function wordpress already has reserved concurrency 5" });
  });

  it("Lambda keeps 100 of the account's concurrency unreserved: a reservation past that is refused", async () => {
    r = await rig(WORDPRESS);
    const lambda = await lambdaOnce(r);
    const refused = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "wordpress", ReservedConcurrentExecutions: 901 })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterValueException);
    expect((refused as Error).message).toMatch(/below its minimum value of \[100\]/);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "wordpress", ReservedConcurrentExecutions: 900 }));
    expect(await reserved(lambda)).toBe(900);
  });
});
