/**
 * `chaos iam-policy <experiment>`: the least-privilege IAM policies an experiment needs, derived
 * from what its faults and probes declare: one for the FIS experiment role its templates name, one
 * for whoever runs it. JSON policy documents, or the same as CloudFormation or Terraform JSON.
 */
import { experimentPermissions } from "../engine/permissions.js";
import { iamCloudFormation, iamJson, iamTerraform, type IacFormat } from "../iac/iam-stack.js";
import { stableJson } from "../iac/stable-json.js";
import { formatFlag, OFFLINE, planOffline } from "./offline-plan.js";
import { regionFlag } from "./region-flag.js";
import { usage } from "./errors.js";
import { noun } from "./plural.js";

export interface IamPolicyFlags {
  format?: string;
  var?: string[];
  varFile?: string[];
  account?: string;
  region?: string;
}

export async function iamPolicyCommand(experiment: string, flags: IamPolicyFlags): Promise<number> {
  const format = formatFlag<IacFormat>(flags.format, ["json", "cloudformation", "terraform"], "json", "iam-policy");
  if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) throw usage(`iam-policy: --account: expected a 12-digit account id, found ${JSON.stringify(flags.account)}`);
  regionFlag("iam-policy", flags.region);
  if (format !== "json" && (flags.account !== undefined || flags.region !== undefined)) {
    throw usage(`iam-policy: --account and --region apply to --format json; ${format} takes the account and region it is deployed to`);
  }
  const plan = await planOffline(experiment, flags);
  const p = experimentPermissions(plan, OFFLINE);
  const input = { fisRole: p.fisRole, runner: p.runner, roleArn: p.roleArn, about: `least privilege for ${plan.experiment.title}` };
  const doc =
    format === "cloudformation"
      ? iamCloudFormation(input)
      : format === "terraform"
        ? iamTerraform(input)
        : iamJson(input, { ...(flags.account ? { accountId: flags.account } : {}), ...(flags.region ? { region: flags.region } : {}) });
  process.stdout.write(stableJson(doc));
  if (p.fisRole.length === 0) {
    // No FIS action on the role: either no faults, or faults gameday carries out itself (their calls
    // are in the runner policy) or that only the sandbox's FIS has (refused on AWS by chaos plan).
    const why = plan.faults.size === 0 ? "has no fault steps" : "has no fault that AWS FIS carries out with this role (those gameday carries out itself are in the runner policy; one only the sandbox offers cannot run on AWS: see chaos plan --target aws)";
    process.stderr.write(`chaos: ${experiment} ${why}: the FIS role needs no permissions for it\n`);
  }
  if (p.undeclared.length > 0) {
    process.stderr.write(`chaos: ${noun(p.undeclared.length, "probe")} ${p.undeclared.join(", ")} ${noun(p.undeclared.length, "declares", "declare")} no permissions (ProbeModule.permissions): add what they call to the runner policy yourself\n`);
  }
  return 0;
}
