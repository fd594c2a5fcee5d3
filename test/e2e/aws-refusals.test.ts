/**
 * `chaos run --target aws` as a user sees it when it must not or cannot reach AWS: one line on
 * stderr, the exit code, no stack trace. Neither case sends a request (the credentials are checked
 * before STS is asked; the region before anything), so no AWS endpoint is needed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, scratch } from "./cli.js";

function project(): string {
  const dir = scratch();
  writeFileSync(join(dir, "gameday.yaml"), `aws:\n  allow:\n    - account: "111122223333"\n      regions: [us-east-1]\n`);
  return dir;
}

/** No credentials anywhere the SDK's default chain looks, and no instance metadata service. */
function noCredentials(): Record<string, string> {
  const empty = mkdtempSync(join(tmpdir(), "gameday-e2e-home-"));
  const env: Record<string, string> = { AWS_CONFIG_FILE: join(empty, "config"), AWS_SHARED_CREDENTIALS_FILE: join(empty, "credentials"), AWS_EC2_METADATA_DISABLED: "true", HOME: empty };
  return env;
}

const withoutAwsVariables = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));

describe("chaos run --target aws, refused", () => {
  it("without credentials: one line saying where they are looked for, exit 4", async () => {
    const saved = process.env;
    process.env = withoutAwsVariables();
    try {
      const r = await chaos(["run", "task-kill", "--target", "aws", "--region", "us-east-1"], { cwd: project(), env: noCredentials() });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^chaos: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give --profile/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      process.env = saved;
    }
  });

  it("with a --profile that gives no credentials: one line naming that profile, not 'give --profile', exit 4", async () => {
    const saved = process.env;
    process.env = withoutAwsVariables();
    try {
      const r = await chaos(["run", "task-kill", "--target", "aws", "--region", "us-east-1", "--profile", "nosuch"], { cwd: project(), env: noCredentials() });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^chaos: no AWS credentials from profile nosuch: .+ \(check ~\/\.aws\/config and ~\/\.aws\/credentials, or `aws sso login --profile nosuch`\)\n$/);
    } finally {
      process.env = saved;
    }
  });

  it("in a region the allow-list does not name: one line, exit 2", async () => {
    const r = await chaos(["run", "task-kill", "--target", "aws", "--region", "eu-west-1"], { cwd: project(), env: noCredentials() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: refusing to touch AWS: region eu-west-1 is not on the allow-list in \/\S+\/gameday\.yaml\n$/);
  });
});
