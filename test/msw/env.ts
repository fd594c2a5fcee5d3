/**
 * The process environment of an operator pointed at real AWS, for in-process tests under msw:
 * credentials in the environment, and no shared config files of the machine running the tests.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { TEST_CREDENTIALS } from "./aws-handlers.js";
import { AwsClients } from "../../src/aws/clients.js";
import { RealClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";

/** Stubs the environment (undone by vi.unstubAllEnvs); `credentials: false` leaves none anywhere. */
export function awsEnv(o: { credentials?: boolean } = {}): void {
  const empty = mkdtempSync(join(tmpdir(), "gameday-msw-home-"));
  vi.stubEnv("AWS_CONFIG_FILE", join(empty, "config"));
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(empty, "credentials"));
  vi.stubEnv("AWS_PROFILE", undefined);
  vi.stubEnv("AWS_SESSION_TOKEN", undefined);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", undefined);
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", undefined);
  vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", undefined);
  vi.stubEnv("AWS_ENDPOINT_URL", undefined);
  vi.stubEnv("AWS_REGION", undefined);
  vi.stubEnv("AWS_DEFAULT_REGION", undefined);
  vi.stubEnv("AWS_ACCESS_KEY_ID", o.credentials === false ? undefined : TEST_CREDENTIALS.AWS_ACCESS_KEY_ID);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", o.credentials === false ? undefined : TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY);
}

/** The client factory as `--target aws` builds it (real clock, gameday's retry middleware). */
export function awsClients(region = "us-east-1"): AwsClients {
  return new AwsClients({ kind: "aws", region }, { clock: new RealClock(), random: new SeededRandom(1) });
}
