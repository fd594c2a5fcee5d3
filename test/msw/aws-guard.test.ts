/**
 * `--target aws` touches nothing unless gameday.yaml allows the account (asked of STS) and the
 * region; bad or missing credentials are one clear line and exit 4. Served from recorded STS
 * responses; msw fails any request nothing answers, so `calls` is everything that left.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { buildTarget } from "../../src/cli/target.js";
import { CliError } from "../../src/cli/errors.js";
import { SeededRandom } from "../../src/random/random.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

function project(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gameday-guard-"));
  if (config !== undefined) writeFileSync(join(dir, "gameday.yaml"), config);
  return dir;
}

const ALLOW = `aws:\n  allow:\n    - account: "111122223333"\n      regions: [us-east-1, us-west-2]\n`;

async function target(cwd: string, region = "us-east-1") {
  return buildTarget({ target: "aws", region, random: new SeededRandom(1), cwd });
}

async function refused(cwd: string, region = "us-east-1"): Promise<CliError> {
  const err = await target(cwd, region).then(
    async (t) => {
      await t.close();
      throw new Error("the target was built");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe("the AWS allow-list", () => {
  it("accepts an allowed account and region, asking STS only", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("sts", "GetCallerIdentity", "allowed");
    const t = await target(project(ALLOW), "us-west-2");
    await t.close();
    expect(t.accountId).toBe("111122223333");
    expect(t.description).toBe("aws 111122223333 us-west-2");
    expect(aws.operations()).toEqual(["sts:GetCallerIdentity"]);
    expect(aws.calls[0]!.region).toBe("us-west-2");
  });

  it("refuses another account after asking STS, and nothing else leaves", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("sts", "GetCallerIdentity", "other-account");
    const err = await refused(project(ALLOW));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/account 444455556666 in us-east-1 is not on the allow-list/);
    expect(aws.operations()).toEqual(["sts:GetCallerIdentity"]);
  });

  it("refuses a region no entry allows before any request leaves", async () => {
    awsEnv();
    // Nothing is answered: any request would be recorded, and failed by msw.
    const aws = new AwsScenario(server);
    const err = await refused(project(ALLOW), "eu-west-1");
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/region eu-west-1 is not on the allow-list/);
    expect(aws.calls).toEqual([]);
    expect(aws.unhandled).toEqual([]);
  });

  it("refuses without gameday.yaml before any request leaves", async () => {
    awsEnv();
    const aws = new AwsScenario(server);
    const err = await refused(project());
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/gameday.yaml has no allow-list/);
    expect(aws.calls).toEqual([]);
  });

  it("retries STS throttling with gameday's retry, then goes on", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("sts", "GetCallerIdentity", ["throttled", "allowed"]);
    const t = await target(project(ALLOW));
    await t.close();
    expect(t.accountId).toBe("111122223333");
    expect(aws.operations()).toEqual(["sts:GetCallerIdentity", "sts:GetCallerIdentity"]);
  });
});

describe("credentials", () => {
  const oneLine = (err: CliError) => {
    expect(err.exitCode).toBe(4);
    expect(err.message).not.toMatch(/\n|\bat .*\.js:\d+/);
  };

  it("expired: one line saying so and what to do, exit 4", async () => {
    awsEnv();
    new AwsScenario(server).reply("sts", "GetCallerIdentity", "expired-token");
    const err = await refused(project(ALLOW));
    oneLine(err);
    expect(err.message).toMatch(/AWS credentials have expired \(ExpiredToken\).*refresh/);
  });

  it("not recognised: one line, exit 4", async () => {
    awsEnv();
    new AwsScenario(server).reply("sts", "GetCallerIdentity", "invalid-token");
    const err = await refused(project(ALLOW));
    oneLine(err);
    expect(err.message).toMatch(/AWS does not recognise these credentials \(InvalidClientTokenId\)/);
  });

  it("missing: one line naming where they are looked for, exit 4, and no request leaves", async () => {
    awsEnv({ credentials: false });
    const aws = new AwsScenario(server);
    const err = await refused(project(ALLOW));
    oneLine(err);
    expect(err.message).toMatch(/no AWS credentials found.*AWS_ACCESS_KEY_ID.*--profile/);
    expect(aws.calls).toEqual([]);
    expect(aws.unhandled).toEqual([]);
  });
});
