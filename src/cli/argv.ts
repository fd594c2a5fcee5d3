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
