/**
 * What a plan's FIS templates need and cost, from the templates alone: the IAM actions the FIS
 * role must be allowed, FIS's quotas they touch, and an estimate of the FIS bill.
 */
import { parseDuration } from "../experiment/duration.js";
import type { FisFragment } from "../faults/types.js";

/**
 * IAM actions each FIS action needs of the experiment role (AWS FIS User Guide, "FIS actions
 * reference", Permissions of each action; aws-semantics.md quotes them). Unknown actions need none listed.
 */
const PERMISSIONS: Record<string, string[]> = {
  "aws:ec2:send-spot-instance-interruptions": ["ec2:SendSpotInstanceInterruptions", "ec2:DescribeInstances"],
  "aws:ecs:stop-task": ["ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask"],
  "aws:ecs:drain-container-instances": ["ecs:DescribeClusters", "ecs:UpdateContainerInstancesState", "ecs:ListContainerInstances"],
  "aws:kinesis:stream-provisioned-throughput-exception": ["kinesis:InjectApiError"],
  "aws:kinesis:stream-expired-iterator-exception": ["kinesis:InjectApiError"],
  // The inject-api-* actions list no permissions of the experiment role in the reference.
  "aws:fis:inject-api-throttle-error": [],
  "aws:fis:inject-api-unavailable-error": [],
  "aws:fis:inject-api-internal-error": [],
  // ECS task network actions run through SSM (ecs-task-actions.html); aws:ssm:send-command likewise.
  "aws:ecs:task-network-latency": ["ecs:DescribeTasks", "ssm:SendCommand", "ssm:ListCommands", "ssm:CancelCommand"],
  "aws:ecs:task-network-blackhole-port": ["ecs:DescribeTasks", "ssm:SendCommand", "ssm:ListCommands", "ssm:CancelCommand"],
  "aws:ssm:send-command": ["ssm:SendCommand", "ssm:ListCommands", "ssm:CancelCommand"],
  // gameday's sandbox-only action: real FIS never runs it, and the sandbox models no IAM.
  "gameday:efs:nfs-latency": [],
  "aws:network:disrupt-connectivity": [
    "ec2:CreateNetworkAcl",
    "ec2:CreateNetworkAclEntry",
    "ec2:CreateTags",
    "ec2:DeleteNetworkAcl",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:GetManagedPrefixListEntries",
    "ec2:ReplaceNetworkAclAssociation",
  ],
};

/** FIS quotas (Service Quotas, "fis"; aws-semantics.md): per template and per action. */
export const FIS_QUOTAS = { actionsPerTemplate: 20, actionMs: 12 * 3_600_000, stopConditions: 5 } as const;

/**
 * USD per action-minute, FIS's list price (https://aws.amazon.com/fis/pricing/: "$0.10 per
 * action-minute" in US East (N. Virginia)); other regions may differ, so the plan says "estimate".
 */
export const FIS_PRICE_PER_ACTION_MINUTE = 0.1;

export function permissionsFor(fragments: readonly FisFragment[]): string[] {
  const out = new Set<string>();
  for (const f of fragments) for (const a of Object.values(f.actions)) for (const p of PERMISSIONS[a.actionId] ?? []) out.add(p);
  return [...out].sort();
}

export interface QuotaLine {
  step: string;
  what: string;
  value: number;
  limit: number;
  ok: boolean;
}

/** The action's length: its duration parameter, else FIS's billing minimum of one minute. */
function actionMs(parameters: Record<string, string> | undefined): number {
  const iso = parameters?.duration ?? parameters?.durationBeforeInterruption;
  return (iso && parseDuration(iso)) || 60_000;
}

export function quotasFor(step: string, fragment: FisFragment, stopConditions: number): QuotaLine[] {
  const actions = Object.values(fragment.actions);
  const lines: QuotaLine[] = [
    { step, what: "actions per template", value: actions.length, limit: FIS_QUOTAS.actionsPerTemplate, ok: actions.length <= FIS_QUOTAS.actionsPerTemplate },
    { step, what: "stop conditions per template", value: stopConditions, limit: FIS_QUOTAS.stopConditions, ok: stopConditions <= FIS_QUOTAS.stopConditions },
  ];
  for (const [name, a] of Object.entries(fragment.actions)) {
    const hours = actionMs(a.parameters) / 3_600_000;
    lines.push({ step, what: `hours of action ${name}`, value: Math.round(hours * 100) / 100, limit: 12, ok: actionMs(a.parameters) <= FIS_QUOTAS.actionMs });
  }
  for (const [name, t] of Object.entries(fragment.targets)) {
    if (t.resourceArns) lines.push({ step, what: `resourceArns of target ${name}`, value: t.resourceArns.length, limit: 5, ok: t.resourceArns.length <= 5 });
  }
  return lines;
}

/** Action-minutes of a template, each action rounded up to whole minutes (at least one). */
export function actionMinutes(fragment: FisFragment): number {
  return Object.values(fragment.actions).reduce((n, a) => n + Math.max(1, Math.ceil(actionMs(a.parameters) / 60_000)), 0);
}
