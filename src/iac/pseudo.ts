/**
 * The account and region placeholders (iam/permission.ts ACCOUNT, REGION) as each output format
 * says "this account, this region": given values (or `*`) in plain JSON, CloudFormation's
 * pseudo-parameters through Fn::Sub, Terraform's aws_caller_identity and aws_region data sources.
 */
import { ACCOUNT, REGION } from "../iam/permission.js";

const PLACEHOLDER = /\$\{AWS::(?:AccountId|Region)\}/g;

function mapStrings(value: unknown, f: (s: string) => unknown): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

export function withValues<T>(value: T, o: { accountId: string; region: string }): T {
  return mapStrings(value, (s) => s.split(ACCOUNT).join(o.accountId).split(REGION).join(o.region)) as T;
}

/** Strings naming the account or region become Fn::Sub of themselves (any other `${` escaped as `${!`). */
export function forCloudFormation(value: unknown): unknown {
  return mapStrings(value, (s) => {
    if (!PLACEHOLDER.test(s)) return s;
    PLACEHOLDER.lastIndex = 0;
    const parts = s.split(PLACEHOLDER);
    const subs = s.match(PLACEHOLDER) ?? [];
    return { "Fn::Sub": parts.map((p, i) => p.replace(/\$\{/g, "${!") + (subs[i] ?? "")).join("") };
  });
}

export const TF_ACCOUNT = "${data.aws_caller_identity.current.account_id}";
export const TF_REGION = "${data.aws_region.current.name}";

/** A string for Terraform JSON: literal `${`/`%{` escaped, the placeholders as data source references. */
export function terraformString(s: string): string {
  // Function replacements: in a replacement string "$$" would itself mean one "$".
  const escape = (p: string) => p.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
  const parts = s.split(PLACEHOLDER);
  const subs = s.match(PLACEHOLDER) ?? [];
  return parts.map((p, i) => escape(p) + (subs[i] === undefined ? "" : subs[i] === ACCOUNT ? TF_ACCOUNT : TF_REGION)).join("");
}

export function forTerraform(value: unknown): unknown {
  return mapStrings(value, terraformString);
}

/** The data sources the references above need. */
export const TERRAFORM_DATA = { aws_caller_identity: { current: {} }, aws_region: { current: {} } };
