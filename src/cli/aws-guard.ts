/**
 * Safe by default on real AWS: nothing touches an account unless gameday.yaml (in the working
 * directory) allows that account and region explicitly. The account is asked of STS, not taken
 * from the user, so a wrong profile cannot slip through.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { AwsClients } from "../aws/clients.js";
import { usage, targetError } from "./errors.js";

const configSchema = z.object({
  aws: z
    .object({
      allow: z.array(z.object({ account: z.string().regex(/^\d{12}$/, "a 12-digit account id"), regions: z.array(z.string().min(1)).min(1) }).strict()).min(1),
    })
    .strict(),
});

export const CONFIG_FILE = "gameday.yaml";

export async function checkAwsAllowed(o: { cwd: string; region: string; clients: AwsClients }): Promise<string> {
  const file = join(o.cwd, CONFIG_FILE);
  if (!existsSync(file)) {
    throw usage(
      `refusing to touch AWS: ${CONFIG_FILE} has no allow-list. Add\n  aws:\n    allow:\n      - account: "111122223333"\n        regions: [${o.region}]\nto ${file} for the account and region you mean.`,
    );
  }
  const parsed = configSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usage(`${file}: ${issue.path.join(".") || "(document)"}: ${issue.message}`);
  }
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient((await o.clients.baseConfig()) as never);
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (err) {
    throw targetError(`cannot tell which AWS account these credentials belong to: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    sts.destroy();
  }
  const allowed = parsed.data.aws.allow.some((a) => a.account === account && a.regions.includes(o.region));
  if (!account || !allowed) throw usage(`refusing to touch AWS: account ${account ?? "?"} in ${o.region} is not on the allow-list in ${file}`);
  return account;
}

/** `fisTemplates: { allowAll: true }` in gameday.yaml: a team's FIS template may select ALL (see faults/fis-template-guard.ts). */
export function fisTemplatesAllowAll(cwd: string): boolean {
  const file = join(cwd, CONFIG_FILE);
  if (!existsSync(file)) return false;
  const doc: unknown = parse(readFileSync(file, "utf8"));
  const section = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>).fisTemplates : undefined;
  return typeof section === "object" && section !== null && (section as Record<string, unknown>).allowAll === true;
}
