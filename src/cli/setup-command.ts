/**
 * `chaos setup --print cloudformation|terraform`: what a first run on AWS needs, for every
 * experiment in the catalog (./experiments and the built-in one): the FIS experiment role gameday's
 * templates name (gameday-fis unless --role-name says otherwise) with the union of the catalog's FIS
 * permissions, and the runner policy. Stop-condition alarms are not in it: each run creates its own
 * (named after the run) and deletes them at the end, so none is static.
 */
import { experimentPermissions } from "../engine/permissions.js";
import { iamCloudFormation, iamJson, iamTerraform, type IacFormat } from "../iac/iam-stack.js";
import { stableJson } from "../iac/stable-json.js";
import { ACCOUNT, DEFAULT_FIS_ROLE, type Permission } from "../iam/permission.js";
import { listExperiments } from "./catalog.js";
import { formatFlag, OFFLINE, planOffline } from "./offline-plan.js";
import { usage } from "./errors.js";
import { noun } from "./plural.js";

export interface SetupFlags {
  print?: string;
  roleName?: string;
}

export async function setupCommand(flags: SetupFlags): Promise<number> {
  if (flags.print === undefined) throw usage("setup: expected --print cloudformation, --print terraform or --print json (gameday prints the stack; you deploy it)");
  const format = formatFlag<IacFormat>(flags.print, ["cloudformation", "terraform", "json"], "cloudformation", "setup", "--print");
  const roleName = flags.roleName ?? DEFAULT_FIS_ROLE;
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw usage(`setup: --role-name: expected an IAM role name (up to 64 of letters, digits and +=,.@_-), found ${JSON.stringify(roleName)}`);
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
  const fisRole: Permission[] = [];
  const runner: Permission[] = [];
  const names: string[] = [];
  for (const entry of listExperiments(process.cwd())) {
    // The role the stack creates is the one every template should name.
    const plan = await planOffline(entry.file, { var: [`fisRoleArn=${roleArn}`] });
    const p = experimentPermissions(plan, OFFLINE);
    fisRole.push(...p.fisRole);
    runner.push(...p.runner);
    names.push(entry.name);
    if (p.undeclared.length > 0) process.stderr.write(`chaos: ${entry.name}: ${noun(p.undeclared.length, "probe")} ${p.undeclared.join(", ")} ${noun(p.undeclared.length, "declares", "declare")} no permissions: add what they call to the runner policy yourself\n`);
  }
  const input = { fisRole, runner, roleArn, about: `FIS role and runner policy for the catalog: ${names.join(", ")}` };
  const doc = format === "cloudformation" ? iamCloudFormation(input) : format === "terraform" ? iamTerraform(input) : iamJson(input, {});
  process.stdout.write(stableJson(doc));
  return 0;
}
