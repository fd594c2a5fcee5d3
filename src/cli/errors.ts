/** Errors the CLI reports as one clear line (never a stack trace) with the exit code they mean. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Invalid input or usage: exit 2. */
export function usage(message: string): CliError {
  return new CliError(message, 2);
}

/** The target or the toolkit failed: exit 4. */
export function targetError(message: string): CliError {
  return new CliError(message, 4);
}
