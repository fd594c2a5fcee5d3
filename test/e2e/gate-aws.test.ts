/**
 * `chaos gate --target aws --region R --profile P`, as a user sees it when the runs must not or
 * cannot reach AWS: the flags are checked as the other commands check them, and they reach every
 * run (whose refusal names the region or the profile it was given). No request is sent: the region
 * is checked against the allow-list, and the profile for credentials, before STS is asked.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { chaos, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

/** A project whose allow-list names us-east-1 only, with a one-run suite. */
function project(): string {
  const dir = scratch();
  writeFileSync(join(dir, "gameday.yaml"), `aws:\n  allow:\n    - account: "111122223333"\n      regions: [us-east-1]\n`);
  writeFileSync(join(dir, "one.yaml"), ["title: One", "experiments:", "  - experiment: task-kill", "    seeds: [7]", ""].join("\n"));
  return dir;
}

/** No credentials anywhere the SDK's default chain looks, and no instance metadata service. */
function noCredentials(): Record<string, string> {
  const empty = mkdtempSync(join(tmpdir(), "gameday-e2e-home-"));
  return { AWS_CONFIG_FILE: join(empty, "config"), AWS_SHARED_CREDENTIALS_FILE: join(empty, "credentials"), AWS_EC2_METADATA_DISABLED: "true", HOME: empty };
}

// The gate and its runs see only the AWS variables a test gives them.
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = process.env;
  process.env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
});
afterEach(() => {
  process.env = saved;
});

describe("chaos gate --region and --profile", () => {
  it("a --region that is not a region's name is refused before anything runs, naming the flag (exit 2)", async () => {
    const dir = project();
    const r = await chaos(["gate", "one.yaml", "--target", "aws", "--region", "us-eest-1", "--out-dir", "out"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('chaos: gate: --region: expected a region such as "us-east-1" (<area>-<direction>-<number>), found "us-eest-1"\n');
    expect(r.stdout).toBe("");
  });

  it("--region or --profile on the embedded sandboxes is refused once, before any run, not by every run in turn (exit 2)", async () => {
    const dir = project();
    for (const [flag, message] of [["--region", "chaos: --region applies only to endpoint and aws targets: the embedded sandbox runs in its stack file's region\n"], ["--profile", "chaos: --profile applies only to --target aws: the embedded sandbox needs no credentials\n"]] as const) {
      const r = await chaos(["gate", "one.yaml", flag, flag === "--region" ? "eu-west-1" : "staging", "--out-dir", "out"], { cwd: dir });
      expect([r.code, r.stderr]).toEqual([2, message]);
      expect(existsSync(join(dir, "out"))).toBe(false);
    }
  });

  it("--target aws with neither --region nor AWS_REGION is refused before any run, as chaos run refuses it (exit 2)", async () => {
    const dir = project();
    const r = await chaos(["gate", "one.yaml", "--target", "aws", "--out-dir", "out"], { cwd: dir, env: noCredentials() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("chaos: gate --target aws needs --region (or AWS_REGION)\n");
    expect(r.stdout).toBe("");
  });

  it("--region reaches the runs, over AWS_REGION: a region off the allow-list is each run's refusal", async () => {
    const dir = project();
    const r = await chaos(["gate", "one.yaml", "--target", "aws", "--region", "eu-west-1", "--out-dir", "out"], { cwd: dir, env: { ...noCredentials(), AWS_REGION: "us-east-1" } });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^ {2}task-kill: could not be judged \(exit 2\): chaos: refusing to touch AWS: region eu-west-1 is not on the allow-list in \/\S+\/gameday\.yaml$/m);
  });

  it("--profile reaches the runs: a profile that gives no credentials is named, as chaos run names it", async () => {
    const dir = project();
    const r = await chaos(["gate", "one.yaml", "--target", "aws", "--region", "us-east-1", "--profile", "nosuch", "--out-dir", "out"], { cwd: dir, env: noCredentials() });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^ {2}task-kill: could not be judged \(exit 4\): chaos: no AWS credentials from profile nosuch: .+`aws sso login --profile nosuch`\)$/m);
  });

  it("--help names both", async () => {
    const r = await chaos(["gate", "--help"], { cwd: scratch() });
    expect(r.stdout).toMatch(/^ {2}--region <region> +AWS region of every run/m);
    expect(r.stdout).toMatch(/^ {2}--profile <name> +AWS profile of every run/m);
  });
});
