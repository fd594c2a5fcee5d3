/**
 * Safe by default on real AWS: nothing touches an account unless gameday.yaml (in the working
 * directory) allows that account and region explicitly. The account is asked of STS, not taken
 * from the user, so a wrong profile cannot slip through.
 */
import { join } from "node:path";
import { z } from "zod";
import type { AwsClients } from "../aws/clients.js";
import { usage, targetError } from "./errors.js";
import { CONFIG_FILE, gamedaySection, readGamedayFile } from "./gameday-file.js";

const configSchema = z.object({
  aws: z
    .object({
      allow: z.array(z.object({ account: z.string().regex(/^\d{12}$/, "a 12-digit account id"), regions: z.array(z.string().min(1)).min(1) }).strict()).min(1),
    })
    .strict(),
});

export async function checkAwsAllowed(o: { cwd: string; region: string; clients: AwsClients; profile?: string }): Promise<string> {
  const config = readGamedayFile(o.cwd);
  const file = config?.path ?? join(o.cwd, CONFIG_FILE);
  if (config === undefined) {
    throw usage(
      `refusing to touch AWS: ${CONFIG_FILE} has no allow-list. Add\n  aws:\n    allow:\n      - account: "111122223333"\n        regions: [${o.region}]\nto ${file} for the account and region you mean.`,
    );
  }
  const parsed = configSchema.safeParse(config.source.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usage(`${file}: ${issue.path.join(".") || "(document)"}: ${issue.message}`);
  }
  // A region no entry allows is refused before any request leaves, STS's included.
  if (!parsed.data.aws.allow.some((a) => a.regions.includes(o.region))) throw usage(`refusing to touch AWS: region ${o.region} is not on the allow-list in ${file}`);
  const { GetCallerIdentityCommand } = await import("../aws/sdk/sts.js");
  let account: string | undefined;
  try {
    account = (await (await o.clients.sts()).send(new GetCallerIdentityCommand({}))).Account;
  } catch (err) {
    throw targetError(credentialProblem(err, o.profile ?? process.env.AWS_PROFILE));
  }
  const allowed = parsed.data.aws.allow.some((a) => a.account === account && a.regions.includes(o.region));
  if (!account || !allowed) throw usage(`refusing to touch AWS: account ${account ?? "?"} in ${o.region} is not on the allow-list in ${file}`);
  return account;
}

/**
 * What went wrong asking STS who these credentials are, as one line an operator can act on;
 * `profile`: the one asked for (--profile or AWS_PROFILE), whose own problem it then names.
 */
export function credentialProblem(err: unknown, profile?: string): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "CredentialsProviderError") {
    if (profile) return `no AWS credentials from profile ${profile}: ${err instanceof Error ? err.message.split("\n")[0] : ""} (check ~/.aws/config and ~/.aws/credentials, or \`aws sso login --profile ${profile}\`)`;
    return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give --profile (or AWS_PROFILE) for a profile in ~/.aws/config";
  }
  if (name === "ExpiredToken" || name === "ExpiredTokenException" || name === "RequestExpired") {
    return `the AWS credentials have expired (${name}): refresh them (for SSO, \`aws sso login\`) and run again`;
  }
  if (name === "InvalidClientTokenId" || name === "UnrecognizedClientException" || name === "SignatureDoesNotMatch") {
    return `AWS does not recognise these credentials (${name}): check the access key, secret and session token, or the --profile`;
  }
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return `cannot tell which AWS account these credentials belong to: ${name ? `${name}: ` : ""}${message}`;
}

/** `fisTemplates: { allowAll: true }` in gameday.yaml: a team's FIS template may select ALL (see faults/fis-template-guard.ts). */
export function fisTemplatesAllowAll(cwd: string): boolean {
  const section = gamedaySection(readGamedayFile(cwd), "fisTemplates", z.object({ allowAll: z.boolean().describe("true lets a team's FIS template select ALL or cut scope all") }).strict());
  return section?.allowAll === true;
}
