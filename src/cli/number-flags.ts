/**
 * A flag that takes a whole number (--parallel, --count, --port, explore's --runs): digits only,
 * within its range, or a usage error saying what was expected and what was typed ("" when nothing
 * was). Number() alone would take "" and " " as 0, and "2.0", "0x10" or "1e3" as numbers.
 */
import { usage } from "./errors.js";

export function wholeNumberFlag(flag: string, text: string, range: { min: number; max?: number; expected?: string }): number {
  const n = Number(text);
  const { min, max = Number.MAX_SAFE_INTEGER } = range;
  if (!/^\d+$/.test(text) || n < min || n > max) {
    const expected = range.expected ?? (range.max === undefined ? `a whole number of ${min} or more` : `a whole number from ${min} to ${max}`);
    throw usage(`${flag}: expected ${expected}, found ${JSON.stringify(text)}`);
  }
  return n;
}
