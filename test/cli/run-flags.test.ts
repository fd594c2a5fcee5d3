import { vi, afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, idleEndpoint, scratch } from "../e2e/cli.js";

// These run the compiled CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 60_000 });

// These experiments never call AWS: a target that accepts connections and answers nothing will do.
let endpoint: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  endpoint = await idleEndpoint();
});
afterAll(() => endpoint.close());
// Refused before anything connects: an address nobody listens on.
const NOWHERE = "http://127.0.0.1:9";

function quickExperiment(dir: string): string {
  const file = join(dir, "quick.yaml");
  writeFileSync(file, ["title: quick", "description: d", "method:", "  - pause: PT0.1S", ""].join("\n"));
  return file;
}

describe("--journal-path that cannot be written", () => {
  it("a file where a directory should be: exit 2 before anything starts", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "b.yaml"), "title: x\n");
    const r = await chaos(["run", "task-kill", "--seed", "1", "--journal-path", "b.yaml/j.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: --journal-path b\.yaml\/j\.json: .*b\.yaml is a file, not a directory\n$/);
    expect(r.stdout).not.toMatch(/verdict/);
    // Nothing was started: no run directory, no ledger.
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("a directory: exit 2", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "out"));
    const r = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "out"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--journal-path out: is a directory; expected the path of a file/);
  });

  it("directories that do not exist yet are not created: exit 2, naming the directory", async () => {
    const dir = scratch();
    const r = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "reports/today/j.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: --journal-path reports\/today\/j\.json: the directory .*reports[/\\]today does not exist/);
    expect(existsSync(join(dir, "reports"))).toBe(false);
  });
});

describe("flags that only shape the embedded sandbox", () => {
  const cases: [string, string[], RegExp][] = [
    ["--speed with --target aws", ["--target", "aws", "--region", "us-east-1", "--speed", "60"], /^chaos: --speed applies only to --target sandbox: AWS runs in real time\n$/],
    ["--speed with an endpoint", ["--target", NOWHERE, "--speed", "60"], /^chaos: --speed applies only to --target sandbox: the endpoint http:\/\/127\.0\.0\.1:9 keeps its own time \(a served sandbox: the --speed of `chaos sandbox serve`\)\n$/],
    ["--stack with an endpoint", ["--target", NOWHERE, "--stack", "fixtures/stacks/default.yaml"], /^chaos: --stack applies only to --target sandbox/],
    ["--handler with --target aws", ["--target", "aws", "--region", "us-east-1", "--handler", "drain.mjs"], /^chaos: --handler applies only to --target sandbox/],
    ["--lifecycle-handler with an endpoint", ["--target", NOWHERE, "--lifecycle-handler", "drain.mjs"], /^chaos: --lifecycle-handler applies only to --target sandbox: on the endpoint http:\/\/127\.0\.0\.1:9, lifecycle notifications reach the subscribers of the hook's SNS topic\n$/],
    // And the other way round: the embedded sandbox's region is its stack's, and it needs no credentials.
    ["--region on the embedded sandbox", ["--region", "eu-west-1"], /^chaos: --region applies only to endpoint and aws targets: the embedded sandbox runs in its stack file's region\n$/],
    ["--profile on the embedded sandbox", ["--profile", "staging"], /^chaos: --profile applies only to --target aws: the embedded sandbox needs no credentials\n$/],
    ["a --region that is no region's name", ["--target", NOWHERE, "--region", "us-eest-1"], /^chaos: --region: expected a region such as "us-east-1".*found "us-eest-1"\n$/],
  ];
  for (const [what, flags, message] of cases) {
    it(`${what} is a usage error, not silently ignored`, async () => {
      const dir = scratch();
      const r = await chaos(["run", quickExperiment(dir), ...flags], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, "journal.json"))).toBe(false);
    });
  }
});
