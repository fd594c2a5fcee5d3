/**
 * The IAM permissions an experiment needs, gathered from what its faults and probes declare
 * (FaultModule.permissions, ProbeModule.permissions) plus what the runner itself does for every
 * run: the FIS lifecycle, stop condition alarms, the account check, the load generator's metrics.
 */
import type { Plan } from "./plan.js";
import { fisLifecyclePermissions, fisRoleArn } from "../faults/fis-runner.js";
import { stopAlarmPermissions } from "../aws/stop-alarms.js";
import { planStopAlarms } from "./stop-conditions.js";
import type { Permission } from "../iam/permission.js";
import { LOAD_NAMESPACE } from "../aws/load-window.js";

export interface ExperimentPermissions {
  /** For the FIS experiment role the templates name. */
  fisRole: Permission[];
  /** For whoever runs `chaos run`. */
  runner: Permission[];
  /** The role the templates pass to FIS. */
  roleArn: string;
  /** Probes (a user's own) that declare no permissions: their calls are not in the runner policy. */
  undeclared: string[];
}

/** `plan` must have been planned with the same region and accountId (placeholders are fine). */
export function experimentPermissions(plan: Plan, o: { region: string; accountId: string }): ExperimentPermissions {
  const configuration = plan.experiment.configuration;
  const roleArn = fisRoleArn(configuration, o.accountId);
  const fisRole: Permission[] = [];
  const runner: Permission[] = [
    { why: "check the account is allowed", actions: ["sts:GetCallerIdentity"], resources: ["*"] },
    // The load generator on aws targets publishes what it measured under this namespace.
    { why: "publish load generator metrics", actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: { StringEquals: { "cloudwatch:namespace": LOAD_NAMESPACE } } },
  ];
  if (plan.faults.size > 0) runner.push(...fisLifecyclePermissions({ ...o, roleArn }));
  for (const f of plan.faults.values()) {
    const input = { params: f.params, target: f.target, configuration, region: o.region, accountId: o.accountId };
    fisRole.push(...f.module.permissions.fis(input));
    runner.push(...f.module.permissions.runner(input));
  }
  const undeclared = new Set<string>();
  for (const c of plan.checks.values()) {
    if (!c.probe) continue;
    if (!c.probe.permissions) undeclared.add(c.probe.name);
    else runner.push(...c.probe.permissions({ params: c.params, region: o.region, accountId: o.accountId }));
  }
  if (plan.faults.size > 0 && planStopAlarms(plan.experiment, plan.checks, "run").alarms.length > 0) runner.push(...stopAlarmPermissions(o));
  return { fisRole, runner, roleArn, undeclared: [...undeclared].sort() };
}
