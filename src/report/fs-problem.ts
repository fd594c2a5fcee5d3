/**
 * A file system error in words, for the user: "no such file or directory: /runs/x/journal.json",
 * not the bare errno ("ENOENT") the error carries.
 */
import { getSystemErrorMap } from "node:util";

/** Words where the system's own are unclear for a file the user named. */
const WORDS: Readonly<Record<string, string>> = {
  EISDIR: "is a directory",
  EEXIST: "a file is in the way",
};

/**
 * `err` (a Node fs error) in words, naming `path` (by default the error's own): undefined for an
 * error without an errno code, which is not the user's to fix.
 */
export function fsProblem(err: unknown, path?: string): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (typeof code !== "string") return undefined;
  const words = WORDS[code] ?? systemWords(code, e?.errno) ?? code;
  const where = path ?? e?.path;
  return where === undefined ? words : `${words}: ${where}`;
}

function systemWords(code: string, errno: number | undefined): string | undefined {
  const map = getSystemErrorMap();
  const byNumber = errno !== undefined ? map.get(errno) : undefined;
  if (byNumber?.[0] === code) return byNumber[1];
  for (const [name, words] of map.values()) if (name === code) return words;
  return undefined;
}

/**
 * What a file that could not be read is, as the `found` of an input error that names the file
 * already: "no such file", "a directory", else "a file that cannot be read: permission denied: /x".
 */
export function unreadableFile(err: unknown, path?: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "a directory";
  const problem = fsProblem(err, path);
  if (problem !== undefined) return `a file that cannot be read: ${problem}`;
  return err instanceof Error ? err.message : String(err);
}
