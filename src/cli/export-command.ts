/**
 * `chaos export <experiment> --format fis|cloudformation|terraform`: the experiment's compiled FIS
 * templates and stop-condition alarms as infrastructure as code, byte-stable for the same input.
 */
import { basename, extname } from "node:path";
import { exportModel } from "../iac/fis-export.js";
import { fisCloudFormation } from "../iac/fis-cloudformation.js";
import { fisTerraform } from "../iac/fis-terraform.js";
import { withValues } from "../iac/pseudo.js";
import { stableJson } from "../iac/stable-json.js";
import { formatFlag, planOffline } from "./offline-plan.js";
import { regionFlag } from "./region-flag.js";
import { usage } from "./errors.js";

export interface ExportFlags {
  format?: string;
  account?: string;
  region?: string;
  var?: string[];
  varFile?: string[];
}

type ExportFormat = "fis" | "cloudformation" | "terraform";

export async function exportCommand(experiment: string, flags: ExportFlags): Promise<number> {
  const format = formatFlag<ExportFormat>(flags.format, ["fis", "cloudformation", "terraform"], "cloudformation", "export");
  if (format === "fis") {
    // FIS takes concrete ARNs: a `*` account in a role ARN is refused.
    if (flags.account === undefined || flags.region === undefined) throw usage("export --format fis: needs --account and --region (FIS takes the role and alarm ARNs with a real account and region)");
    if (!/^\d{12}$/.test(flags.account)) throw usage(`export: --account: expected a 12-digit account id, found ${JSON.stringify(flags.account)}`);
    regionFlag("export", flags.region);
  } else if (flags.account !== undefined || flags.region !== undefined) {
    throw usage(`export: --account and --region apply to --format fis; ${format} takes the account and region it is deployed to`);
  }
  const plan = await planOffline(experiment, flags);
  const name = basename(plan.loaded.file, extname(plan.loaded.file));
  const model = exportModel(plan, name);
  if (model.templates.length === 0) throw usage(`export: ${experiment} has no fault steps, so no FIS experiment template to export`);
  // What is exported is deployed to AWS, whose FIS has none of the sandbox's own actions: a stack
  // that names one fails to deploy. `chaos plan --target aws` refuses the same steps.
  const sandboxOnly = model.templates.flatMap((t) =>
    Object.values((t.template as { actions?: Record<string, { actionId?: string }> }).actions ?? {})
      .filter((a) => a.actionId?.startsWith("gameday:"))
      .map((a) => `step ${t.step} (${t.fault}) uses ${a.actionId}`),
  );
  if (sandboxOnly.length > 0) throw usage(`export: AWS FIS has no such action, only the embedded sandbox's FIS does: ${sandboxOnly.join("; ")}; nothing was exported`);
  const doc =
    format === "cloudformation"
      ? fisCloudFormation(model)
      : format === "terraform"
        ? fisTerraform(model)
        : withValues(
            { alarms: model.alarms, templates: Object.fromEntries(model.templates.map((t) => [t.step, t.template])) },
            { accountId: flags.account!, region: flags.region! },
          );
  process.stdout.write(stableJson(doc));
  return 0;
}
