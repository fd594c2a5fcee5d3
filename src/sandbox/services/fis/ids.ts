/**
 * FIS identifiers: a prefix ("EXT" for templates, "EXP" for experiments) and 14 letters or
 * digits, like the ids AWS hands out (EXT2SGvsmSdcwH1pM). Drawn from the kernel's id stream so
 * that the same seed gives the same ids.
 */
import type { Kernel } from "../../kernel.js";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function fisId(kernel: Kernel, prefix: "EXT" | "EXP"): string {
  const hex = kernel.hex(28);
  let out = prefix;
  for (let i = 0; i < hex.length; i += 2) out += ALPHABET[parseInt(hex.slice(i, i + 2), 16) % ALPHABET.length];
  return out;
}
