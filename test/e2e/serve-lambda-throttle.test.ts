/**
 * Lambda throttling and the WordPress model through clients that are not ours: the AWS CLI sets a
 * served sandbox's reserved concurrency (put-, get-, delete-function-concurrency) and invokes the
 * WordPress function with an API Gateway HTTP API 2.0 event; and `chaos plan` / `chaos run` of a
 * lambda-throttle step say that FIS has no such action and undo it. API references:
 * lambda/latest/api/API_PutFunctionConcurrency.html, API_Invoke.html (TooManyRequestsException).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, cleanAwsEnv, hasAwsCli } from "./aws-cli.js";
import { chaos, REPO, scratch, servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 90_000 });

const STACK = join(REPO, "fixtures/stacks/wordpress.yaml");
const serve = servesForThisFile();
let endpoint = "";
beforeAll(async () => {
  if (!hasAwsCli) return;
  // Real time: paced, every sub-millisecond sleep of the model (an NFS operation) waits at least a
  // real millisecond, so at --speed 60 a cold WordPress start would run past its 30 s timeout.
  endpoint = (await serve(["--speed", "1", "--seed", "7", "--stack", STACK])).endpoint;
}, 60_000);

const EVENT = JSON.stringify({ version: "2.0", routeKey: "$default", rawPath: "/", rawQueryString: "", headers: {}, requestContext: { http: { method: "GET", path: "/" } }, isBase64Encoded: false });

/** `aws lambda invoke` (CLI v1 takes the payload as JSON text): its exit code, what it printed and the response file. */
async function invoke(): Promise<{ code: number; stderr: string; response: Record<string, unknown> | undefined }> {
  const out = join(scratch(), "response.json");
  const args = ["lambda", "invoke", "--function-name", "wordpress", "--payload", EVENT, out, "--endpoint-url", endpoint, "--cli-read-timeout", "60"];
  try {
    await promisify(execFile)("aws", args, { env: { ...cleanAwsEnv(), AWS_MAX_ATTEMPTS: "1" } });
    return { code: 0, stderr: "", response: JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown> };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? "", response: undefined };
  }
}

describe.skipIf(!hasAwsCli)("the AWS CLI sets a served sandbox's reserved concurrency", () => {
  it("put-function-concurrency 0 throttles invoke with TooManyRequestsException; delete-function-concurrency lets it through again", async () => {
    expect(await invoke()).toMatchObject({ code: 0, response: { statusCode: 200, headers: { "content-type": "text/html; charset=UTF-8" }, isBase64Encoded: false } });
    expect(await awsCli(endpoint, ["lambda", "put-function-concurrency", "--function-name", "wordpress", "--reserved-concurrent-executions", "0"])).toEqual({ ReservedConcurrentExecutions: 0 });
    expect(await awsCli(endpoint, ["lambda", "get-function-concurrency", "--function-name", "wordpress"])).toEqual({ ReservedConcurrentExecutions: 0 });
    const throttled = await invoke();
    expect(throttled.code).not.toBe(0);
    expect(throttled.stderr).toMatch(/TooManyRequestsException.*Invoke operation.*Rate Exceeded/);
    expect(await awsCli(endpoint, ["lambda", "delete-function-concurrency", "--function-name", "wordpress"])).toEqual({});
    expect(await awsCli(endpoint, ["lambda", "get-function-concurrency", "--function-name", "wordpress"])).toEqual({});
    expect((await invoke()).code).toBe(0);
  });
});

describe("chaos plan and run with a lambda-throttle step", () => {
  it("plan says FIS has no Lambda throttle action; run sets the reservation, verifies it and rolls it back", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "throttle.yaml"),
      `title: WordPress while its function is throttled
method:
  - fault: lambda-throttle
    name: throttle-wordpress
    target: { function: wordpress }
    with: { reservedConcurrency: 0 }
  - pause: PT1M
`,
    );
    const plan = await chaos(["plan", "throttle.yaml", "--stack", STACK], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("throttle-wordpress (lambda-throttle): no FIS template; set wordpress's reserved concurrency to 0 (FIS has no Lambda throttle action: this fault compiles to no FIS action; gameday calls Lambda PutFunctionConcurrency itself)");
    const run = await chaos(["run", "throttle.yaml", "--stack", STACK, "--seed", "7"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("✓ throttle-wordpress landed: wordpress has reserved concurrency 0: every invocation is throttled");
    expect(run.stdout).toContain("↺ function wordpress has no reserved concurrency again (it had reserved concurrency 0)");
  });
});
