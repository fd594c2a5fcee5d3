/**
 * What an IAM policy must allow for one piece of gameday: a fault's FIS actions (for the FIS
 * experiment role) or the calls gameday itself makes (for the runner). Faults and probes declare
 * these next to their FIS mapping and their AWS calls, so `chaos iam-policy` and `chaos setup`
 * derive the policies from the code that needs them. Plain data; no AWS SDK here.
 */

export interface Permission {
  /** Why it is needed, in a few words; becomes the statement's Sid (letters and digits only). */
  why: string;
  actions: string[];
  /** ARNs, possibly with `*`; `["*"]` for actions that take no resource-level permission. */
  resources: string[];
  /** IAM condition block: operator -> key -> value(s). */
  conditions?: Record<string, Record<string, string | string[]>>;
}

/**
 * Placeholders a fault compiles into ARNs when the account and region are not one target's:
 * each output format swaps them for its own (a `*`, CloudFormation's pseudo-parameters, Terraform
 * data sources). They look like CloudFormation's, which Fn::Sub then reads unchanged.
 */
export const ACCOUNT = "${AWS::AccountId}";
export const REGION = "${AWS::Region}";

/** The FIS experiment role gameday names in its templates unless configuration.fisRoleArn says otherwise. */
export const DEFAULT_FIS_ROLE = "gameday-fis";

export function defaultFisRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${DEFAULT_FIS_ROLE}`;
}

/** Tag keys gameday puts on what it creates (templates, experiments, alarms). */
export const RUN_TAG = "gameday:run";
