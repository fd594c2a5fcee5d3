#!/usr/bin/env node
/**
 * The `chaos` command. This file only declares commands and flags: each command's code (and the AWS
 * SDK, zod, yaml behind it) is imported when that command runs, so `chaos --help` stays about as
 * fast as starting Node itself.
 */
import { Command, Option } from "commander";
import { CliError } from "./errors.js";
import { InvalidInputError, formatInputError } from "../experiment/model.js";

// The pinned AWS SDK warns once per process that its releases after January 2027 will need Node 22.
// The pinned versions keep working on Node 20 (see README, "Node versions"); keep the output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const collect = (value: string, previous: string[] = []) => [...previous, value];

const EXIT_CODES_HELP = `
Exit codes:
  0    the steady state held
  1    deviated (including a steady state that did not hold before the method)
  2    invalid input or usage
  3    aborted by a stop condition
  4    target or toolkit error (including a fault that did not land)
  130  interrupted (after the rollbacks ran)`;

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let exitCode = 0;
  program
    .name("chaos")
    .description("gameday: chaos experiments for the AWS dependencies that never go down.\nRuns against an embedded AWS sandbox by default, or against AWS FIS.")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText("after", EXIT_CODES_HELP);

  program
    .command("run")
    .description("run an experiment: by name (./experiments, then the built-in catalog) or by path")
    .argument("<experiment>", "name or file (YAML or JSON)")
    .option("--journal-path <file>", "where to write the journal", "journal.json")
    .option("--var <key=value>", "override a configuration value (repeatable; key:type=value with str|int|float|bool|json)", collect)
    .option("--var-file <file>", "configuration and secrets from YAML/JSON, or environment from a .env file (repeatable)", collect)
    .option("--seed <n>", "seed for every random choice; the same seed gives the same journal")
    .option("--dry", "resolve and print the plan and the FIS templates; change nothing")
    .option("--target <sandbox|aws|url>", "where to run: the embedded sandbox, real AWS, or an AWS-compatible endpoint", "sandbox")
    .option("--region <region>", "AWS region (aws and endpoint targets)")
    .option("--profile <name>", "AWS profile (aws target)")
    .option("--stack <file>", "sandbox stack file (default: fixtures/stacks/default.yaml)")
    .option("--speed <n>", "sandbox in scaled real time (1 = real time) instead of virtual time")
    .option("--handler <module>", "route spot warnings in the sandbox to this Lambda-style handler module too (repeatable)", collect)
    .addOption(new Option("--hypothesis-strategy <strategy>", "override runtime.hypothesis").choices(["default", "before-method-only", "after-method-only", "during-method-only", "continuously", "continously"]))
    .addOption(new Option("--rollback-strategy <strategy>", "override runtime.rollbacks").choices(["default", "always", "deviated", "never"]))
    .option("--fail-fast", "abort the method at the first failed reading during it")
    .addOption(new Option("--log-format <format>", "pretty (live timeline on a terminal), plain, or json (pino on stderr)").choices(["pretty", "plain", "json"]).default("pretty"))
    .option("--verbose", "show every sandbox event on the timeline")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (experiment: string, flags) => {
      const { runCommand } = await import("./run-command.js");
      exitCode = await runCommand(experiment, flags);
    });

  program
    .command("validate")
    .description("check experiment files: syntax, schema, variables, probe and fault parameters (exit 2 on errors)")
    .argument("<experiments...>", "names or files")
    .option("--var <key=value>", "configuration override (repeatable)", collect)
    .option("--var-file <file>", "variables file (repeatable)", collect)
    .action(async (experiments: string[], flags) => {
      const { validateCommand } = await import("./validate-command.js");
      exitCode = await validateCommand(experiments, flags);
    });

  program
    .command("list")
    .description("list the experiments in ./experiments and the built-in catalog, and the probes and faults")
    .action(async () => {
      const { listCommand } = await import("./list-command.js");
      exitCode = await listCommand();
    });

  program
    .command("schema")
    .description("print the JSON Schema of the experiment format (for editors)")
    .action(async () => {
      const { experimentJsonSchema } = await import("../experiment/index.js");
      process.stdout.write(JSON.stringify(experimentJsonSchema(), null, 2) + "\n");
    });

  program
    .command("recover")
    .description("finish the rollbacks of runs that were killed (SIGKILL, power loss) from their ledgers")
    .argument("[run-id]", "one run (default: every unfinished run under .gameday/runs)")
    .action(async (runId: string | undefined) => {
      const { recoverCommand } = await import("./recover-command.js");
      exitCode = await recoverCommand(runId);
    });

  const sandbox = program.command("sandbox").description("the embedded AWS sandbox");
  sandbox
    .command("serve")
    .description("serve the sandbox's AWS APIs over HTTP on 127.0.0.1, for AWS_ENDPOINT_URL")
    .option("--stack <file>", "stack file (default: fixtures/stacks/default.yaml)")
    .option("--port <port>", "port on 127.0.0.1", "4566")
    .option("--speed <n>", "time runs this many times faster than real time", "1")
    .option("--seed <n>", "seed for the sandbox's random choices")
    .action(async (flags) => {
      const { serveCommand } = await import("./serve-command.js");
      exitCode = await serveCommand(flags);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === "string" && e.code.startsWith("commander.")) {
      // Help and version exit 0; a usage mistake (unknown option, missing argument) exits 2.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
    }
    throw err;
  }
  return exitCode;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InvalidInputError) {
      for (const e of err.errors) process.stderr.write(`${formatInputError(e)}\n`);
      process.stderr.write(`${err.errors.length} error${err.errors.length === 1 ? "" : "s"}\n`);
      process.exitCode = 2;
    } else if (err instanceof CliError) {
      process.stderr.write(`chaos: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`chaos: internal error: ${message}\n`);
      if (process.env.GAMEDAY_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      else process.stderr.write("(set GAMEDAY_DEBUG=1 for the stack trace, and please report it)\n");
      process.exitCode = 4;
    }
  },
);
