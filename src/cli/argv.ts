/**
 * What cac gets wrong about a command line, put right before it parses or when it reports: kept
 * apart from main.ts so that it stays a list of commands. Imports nothing, so `chaos --help` pays
 * for one small module.
 */

interface OptionLike {
  rawName: string;
}

/** The dashed long names ("--seed") of the options that take a value ("--seed <n>"). */
export function valueOptionNames(commands: readonly { options: readonly OptionLike[] }[]): Set<string> {
  const names = new Set<string>();
  for (const command of commands) {
    for (const option of command.options) {
      if (!/[<[]/.test(option.rawName)) continue;
      for (const name of option.rawName.split(/[\s,]+/)) if (name.startsWith("--")) names.add(name);
    }
  }
  return names;
}

/**
 * cac (mri underneath) reads the "-1" of "--seed -1" as a short flag, so the user hears of an
 * unknown option `-1` instead of what is wrong with the seed. Written as "--seed=-1" it stays the
 * option's value and reaches the command's own check ("--seed: expected ..., found -1").
 */
export function joinNegativeValues(argv: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg === "--") return [...out, ...argv.slice(i)];
    if (valueOptions.has(arg) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** cac's own spelling of a long option: "--bogus-flag" becomes "bogusFlag". */
function camelcase(name: string): string {
  return name.replaceAll(/([a-z])-([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase());
}

/**
 * cac reports "--bogus-flag" as "Unknown option `--bogusFlag`", a flag nobody typed. Finds the
 * argument the report came from and names it as typed; other messages pass unchanged.
 */
export function unknownOptionAsTyped(message: string, argv: readonly string[]): string {
  const reported = /^Unknown option `--([^`]+)`/.exec(message)?.[1];
  if (reported === undefined) return message;
  for (const arg of argv) {
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const typed = arg.slice(2).split("=")[0] as string;
    if (camelcase(typed) === reported) return message.replace(`--${reported}`, `--${typed}`);
  }
  return message;
}

/** What mri (under cac) makes of an option's value: text that reads as a number becomes that number ("" and " " become 0). */
function asMriReadsIt(text: string): string | number {
  const n = +text;
  return n * 0 === 0 ? n : text;
}

/**
 * Each long option's values as typed, by cac's name for it ("--max-crashes" under maxCrashes), in
 * order; `true` where it had none. Reads the arguments as mri does, so that each value lines up
 * with the one mri gave the option: the value is after "=", else the next argument unless that
 * starts with "-" (a "--flag=" with nothing after it takes the next argument too, as mri has it).
 */
function typedValues(args: readonly string[]): Map<string, (string | true)[]> {
  const out = new Map<string, (string | true)[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") break;
    let dashes = 0;
    while (arg.charCodeAt(dashes) === 45) dashes++;
    if (dashes === 0 || arg.startsWith("no-", dashes)) continue;
    const eq = arg.indexOf("=", dashes + 1);
    const name = arg.slice(dashes, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? "" : arg.slice(eq + 1);
    const next = args[i + 1];
    const value: string | true = inline || (next === undefined || next.charCodeAt(0) === 45 ? true : (i++, next));
    if (dashes !== 2 || name.includes(".")) continue;
    const key = camelcase(name);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/**
 * cac parses with mri, which turns every option value that reads as a number into one: `--parallel ''`
 * reaches the command as 0 (and its check says found "0"), an account 012345678901 loses its first
 * digit, "1e3" becomes 1000. Puts back, in `options` as cac parsed them, the text typed for each
 * option of `valueOptions` ("--seed"), where mri's value is exactly that text read as a number; so
 * each command checks what the user typed and names it as typed. `args` are the arguments after
 * node and the script, as cac gave them to mri.
 */
export function restoreTypedValues(options: Record<string, unknown>, args: readonly string[], valueOptions: ReadonlySet<string>): void {
  for (const [key, typed] of typedValues(args)) {
    if (![...valueOptions].some((o) => camelcase(o.slice(2)) === key)) continue;
    if (typed.some((t) => t === true)) continue;
    const texts = typed as string[];
    const reads = texts.map(asMriReadsIt);
    const parsed = options[key];
    const same = Array.isArray(parsed) ? parsed.length === reads.length && parsed.every((v, i) => v === reads[i]) : reads.length === 1 && parsed === reads[0];
    if (same) options[key] = texts.length === 1 ? texts[0] : texts;
  }
}
