/**
 * What a lint check is: a read-only look at the live target's timing budgets and settings, with
 * the AWS document it rests on and the AWS calls it makes (through the client factory, identically
 * on every target). A finding names the resource and the numbers that make it one.
 */
import type { Inventory } from "./inventory.js";

export type Severity = "error" | "warning";

export interface Finding {
  check: string;
  severity: Severity;
  /** The resource it is about, e.g. "service prod/web". */
  resource: string;
  message: string;
}

export interface LintCheck {
  id: string;
  title: string;
  /** The AWS documentation the rule rests on. */
  doc: string;
  severity: Severity;
  /** The read-only AWS calls it makes, as IAM names them ("ecs:DescribeServices"). */
  calls: readonly string[];
  run(inventory: Inventory): Promise<Finding[]>;
}

/** The spot interruption notice: EC2 warns two minutes before it stops or terminates an instance. */
export const SPOT_NOTICE_SECONDS = 120;
