/**
 * Auto Scaling's identifiers (group ARNs' UUID, activity ids, lifecycle action tokens) derived by
 * hashing what they name, not drawn from the kernel's id stream: a stack with an Auto Scaling
 * group then draws exactly the instance and task ids it drew before these existed, so the
 * journals of experiments that never touch Auto Scaling stay as they were.
 */
import { createHash } from "node:crypto";

export function stableUuid(text: string): string {
  const h = createHash("sha1").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
