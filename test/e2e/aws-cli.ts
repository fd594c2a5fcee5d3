/**
 * Clients that are not ours, against a served sandbox: the AWS CLI and boto3 (botocore), run as a
 * user's scripts would, with no profile, config or metadata service of the machine's.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { scratch } from "./cli.js";

const run = promisify(execFile);

/** Whether the AWS CLI is installed: suites that need it say they are skipped rather than pass without it. */
export const hasAwsCli = await run("aws", ["--version"]).then(
  () => true,
  () => false,
);

/** Whether python3 can import boto3. */
export const hasBoto3 = await run("python3", ["-c", "import boto3"]).then(
  () => true,
  () => false,
);

/** An environment with fake credentials and a fresh HOME: nothing of the machine's AWS setup leaks in. */
export function cleanAwsEnv(): Record<string, string> {
  const dir = scratch();
  return {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    AWS_CONFIG_FILE: `${dir}/none`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/none`,
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
}

/** `aws <args> --endpoint-url <endpoint> --output json`, parsed; a command that prints nothing gives {}. */
export async function awsCli(endpoint: string, args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run("aws", [...args, "--endpoint-url", endpoint, "--output", "json"], { env: cleanAwsEnv() });
  return stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, any>);
}

/** `python3 -c <script> <args...>`; returns what it printed. */
export async function python(script: string, args: string[]): Promise<string> {
  const { stdout } = await run("python3", ["-c", script, ...args], { env: cleanAwsEnv() });
  return stdout;
}
