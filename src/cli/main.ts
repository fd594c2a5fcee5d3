#!/usr/bin/env node
/**
 * The `chaos` command. This file only declares commands and flags (with cac: one small file, no
 * dependencies, about a third of commander's start-up cost); each command's code, and the AWS SDK,
 * zod and yaml behind it, is imported when that command runs, so `chaos --help` stays about as
 * fast as starting Node itself.
 */
import { cac } from "cac";
import { startupSnapshot } from "node:v8";
import { joinNegativeValues, restoreTypedValues, valueOptionNames } from "./argv.js";
import { keepHeapNearLiveSet } from "./heap.js";
import { optimizeLongRunsOnly } from "./tiering.js";
import { dropOutputWhenReaderCloses } from "./closed-output.js";

const VERSION = "0.1.0";

const EXIT_CODES = `  0    the steady state held
  1    deviated (including a steady state that did not hold before the method)
  2    invalid input or usage
  3    aborted by a stop condition
  4    target or toolkit error (including a fault that did not land)
  130  interrupted by SIGINT, SIGTERM or SIGHUP (after the rollbacks ran)`;

/** Each command's help lists the exit codes it can give; run's are the full set, shown at the top level too. */
const COMMAND_EXIT_CODES: Record<string, string> = {
  run: EXIT_CODES,
  validate: `  0    every file is valid
  2    a file has errors, or invalid usage`,
  list: `  0    listed
  2    invalid usage`,
  schema: `  0    printed
  2    invalid usage`,
  describe: `  0    described
  2    no fault or probe of that name (with a did-you-mean), a probe file that does not load, or invalid usage`,
  recover: `  0    nothing was left to recover, or every run was recovered (runs still going are left alone)
  2    invalid usage, or no such run
  4    a run could not be recovered (an undo failed, its record is damaged, or the named run is
       still running or cannot be checked from this host)`,
  plan: `  0    the run could go ahead
  2    guardrails refuse it (cap, named allowance, window), a FIS quota is exceeded, or invalid input
  4    a target resolved to nothing, the FIS role is missing or lacks a permission, the target's FIS has
       no action for a fault (efs-latency from Lambda on AWS), or the target failed`,
  explore: `  0    no schedule tried broke the hypothesis
  1    a failing schedule was found (written as a replayable experiment)
  2    invalid input or usage
  4    target or toolkit error (every candidate failed to run)`,
  "iam-policy": `  0    printed
  2    invalid input or usage (an experiment with errors, an unknown --format)`,
  setup: `  0    printed
  2    invalid usage (no or an unknown --print), or a catalog experiment with errors`,
  export: `  0    printed
  2    invalid input or usage (an experiment with errors or no fault, an unknown --format)`,
  stop: `  0    every gameday experiment found was stopped and the runs recorded here were recovered
  2    invalid usage (neither a run id nor --all, no --target), or no such run here
  4    an experiment could not be stopped, the target could not be reached, or a run could not be recovered`,
  report: `  0    written
  2    a journal that cannot be read or is not a gameday journal, an unknown format, or invalid usage`,
  gate: `  0    the gate passed: every threshold of the suite held
  1    the gate failed: a hypothesis deviated (or a stop condition aborted a run), the score is
       below the minimum, or a measure regressed against the baseline
  2    invalid suite file (an entry's unknown experiment, undeclared var or missing stack
       included, all at once, before any run), or invalid usage
  4    a run could not be judged (a toolkit or target error) and nothing else failed; such a
       run counts 0% in the score, and a score below the minimum only because of such runs is
       exit 4, not 1
  130  interrupted by SIGINT/SIGTERM/SIGHUP: passed on to the running runs (they roll back), no further
       run starts, JUnit and Markdown written for what ran`,
  lint: `  0    no finding at error severity
  1    a finding at error severity
  2    invalid usage or stack file
  4    the target could not be read (an AWS call refused, nothing listening, not on the allow-list)`,
  sandbox: `  0    stopped by SIGINT, SIGTERM or SIGHUP
  2    invalid usage or stack file, or the port is in use
  4    the sandbox could not start (its stack never came up, for example)`,
  gameday: `  0    every step held
  1    a step deviated, was stopped by a stop condition, or ran past its timebox
  2    invalid runbook (a step's experiment, vars or stack, and a chaos: pre-check's command or
       experiment, included) or usage (file:line, field and what was expected), before anything starts
  3    a pre-check failed, or the facilitator aborted at a checkpoint
  4    a step hit a target or toolkit error (the record says error), or could not start, was
       killed or left undo steps in its ledger (the record says aborted: run \`chaos recover\`)
  130  interrupted by SIGINT, SIGTERM or SIGHUP (the running step's rollbacks ran; the record says
       aborted)`,
  schedule: `  0    done (run-due: every due run held, nothing was due, or what was due fell outside
       gameday.yaml's guardrails.windows and was skipped)
  1    run-due: a due run deviated (its own exit code otherwise: 3 stopped, 4 error, 130 interrupted)
  2    invalid gameday.yaml (file:line, field; for a cron, which of its fields), invalid usage, or an
       export the format cannot express (each schedule named, with the reason)
  4    the schedules' state file is damaged`,
};
const FIS_ROLE_HELP = `  Fault templates name the FIS experiment role arn:aws:iam::<account>:role/gameday-fis unless the
  experiment's configuration.fisRoleArn (or --var fisRoleArn=ARN) names another. Create it with
  \`chaos setup --print cloudformation\` (or terraform); \`chaos iam-policy <experiment>\` shows what it needs.`;
const VALIDATE_HELP = `  An experiment by name (./experiments, then the built-in catalog) or by path. A path to one of the
  other files gameday reads is checked as the command that reads it checks it, with every error at
  its line; it is known by its top-level key, else by its directory:
    explore:      experiments/spaces/    a space file, as chaos explore checks it (--var applies)
    experiments:  experiments/suites/    a suite, as chaos gate checks it
    steps:        experiments/gamedays/  a game-day runbook, as chaos gameday checks it
    targets: and actions:                an AWS FIS experiment template, as chaos run --fis-template
                                         checks it before any call (--var fills its \${name})
  A file with a method: is an experiment wherever it is.`;
const OTHER_EXIT_CODES = `  0    done
  2    invalid input or usage
  4    toolkit error`;

/** Option values are as typed (restoreTypedValues), a repeated flag is a list: give the commands strings and lists. */
function text(value: unknown): string | undefined {
  return value === undefined || value === true || value === false ? undefined : String(value);
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

type Flags = Record<string, unknown>;

async function main(argv: string[]): Promise<number> {
  const cli = cac("chaos");
  let exitCode = 0;

  cli
    .command("run [experiment]", "Run an experiment: by name (./experiments, then the built-in catalog) or by path; or a FIS template with --fis-template")
    .option("--journal-path <file>", "Where to write the journal (default: .gameday/runs/<run-id>/journal.json, linked from ./journal.json)")
    .option("--var <key=value>", "Override a configuration value (repeatable; key:type=value with str|int|float|bool|json|bytes)")
    .option("--var-file <file>", "Configuration and secrets from YAML/JSON, or environment from a .env file (repeatable)")
    .option("--seed <n>", "Seed for every random choice; the same seed gives the same journal")
    .option("--dry", "Resolve and print the plan and the FIS templates; change nothing")
    .option("--target <target>", "sandbox (embedded), aws, or an AWS-compatible endpoint URL", { default: "sandbox" })
    .option("--region <region>", "AWS region (aws and endpoint targets)")
    .option("--profile <name>", "AWS profile (aws target)")
    .option("--stack <file>", "Sandbox stack file (default: the stack the experiment names in its gameday extension, else fixtures/stacks/default.yaml)")
    .option("--speed <n>", "Sandbox in scaled real time (1 = real time) instead of virtual time")
    .option("--handler <module>", "Also route spot warnings in the sandbox to this Lambda-style handler module (repeatable)")
    .option("--lifecycle-handler <module>", "Also subscribe this Lambda-style handler module to the SNS topics the sandbox's terminating lifecycle hooks notify (repeatable)")
    .option("--url <service=url>", "Where the load generator sends a service's traffic on endpoint and aws targets (repeatable), e.g. web=https://staging.example.com/")
    .option("--hypothesis-strategy <strategy>", "default, before-method-only, after-method-only, during-method-only, continuously")
    .option("--rollback-strategy <strategy>", "always, deviated or never")
    .option("--fail-fast", "Abort the method at the first failed reading during it")
    .option("--log-format <format>", "pretty (live timeline on a terminal), plain, or json (pino on stderr)", { default: "pretty" })
    .option("--verbose", "Show every sandbox event on the timeline")
    .option("--report <format>", "Also write a report next to the journal: html, md, junit, json (repeatable or a comma list)")
    .option("--project <dir>", "Where gameday.yaml, ./probes and ./experiments are read (default: the working directory); the run's own files stay in the working directory")
    .option("--fis-template <file>", "Run a team's own FIS experiment template (JSON or YAML; create-experiment-template input or get-experiment-template output) instead of an experiment; --var fills its ${name}; an action the target's FIS lacks (gameday:* on AWS) is refused first")
    .action(async (experiment: string | undefined, f: Flags) => {
      const { runCommand } = await import("./run-command.js");
      exitCode = await runCommand(
        experiment,
        defined({
          journalPath: text(f.journalPath),
          var: list(f.var),
          varFile: list(f.varFile),
          seed: text(f.seed),
          logFormat: text(f.logFormat),
          dry: f.dry === true ? true : undefined,
          target: text(f.target) ?? "sandbox",
          region: text(f.region),
          profile: text(f.profile),
          stack: text(f.stack),
          speed: text(f.speed),
          handler: list(f.handler),
          lifecycleHandler: list(f.lifecycleHandler),
          url: list(f.url),
          hypothesisStrategy: text(f.hypothesisStrategy),
          rollbackStrategy: text(f.rollbackStrategy),
          failFast: f.failFast === true ? true : undefined,
          verbose: f.verbose === true ? true : undefined,
          report: list(f.report),
          fisTemplate: text(f.fisTemplate),
          project: text(f.project),
        }),
      );
    });

  // chaos plan (guardrails): the read-only preflight `run` passes first, printed.
  cli
    .command("plan <experiment>", "Preflight, read-only: the exact resources each fault hits, guardrails, FIS templates, stop alarms, IAM, quotas and cost (exit 2 if refused)")
    .option("--target <target>", "sandbox (embedded), aws, or an AWS-compatible endpoint URL", { default: "sandbox" })
    .option("--region <region>", "AWS region (aws and endpoint targets)")
    .option("--profile <name>", "AWS profile (aws target)")
    .option("--stack <file>", "Sandbox stack file (default: the stack the experiment names in its gameday extension, else fixtures/stacks/default.yaml)")
    .option("--seed <n>", "Seed for the picks; `chaos run` with the same seed hits the same resources")
    .option("--var <key=value>", "Configuration override (repeatable)")
    .option("--var-file <file>", "Variables file (repeatable)")
    .option("--json", "Print the plan as JSON")
    .action(async (experiment: string, f: Flags) => {
      const { runCommand } = await import("./run-command.js");
      exitCode = await runCommand(
        experiment,
        defined({ dry: true, target: text(f.target) ?? "sandbox", region: text(f.region), profile: text(f.profile), stack: text(f.stack), seed: text(f.seed), var: list(f.var), varFile: list(f.varFile), logFormat: f.json === true ? "json" : "plain" }),
      );
    });

  // chaos lint: read-only checks of the target's timing budgets and drain settings (src/lint/).
  cli
    .command("lint", "Read-only checks of the target's spot timing budgets and drain settings, each with the AWS document it rests on (exit 1 on an error)")
    .option("--target <target>", "sandbox (embedded), aws, or an AWS-compatible endpoint URL", { default: "sandbox" })
    .option("--region <region>", "AWS region (aws and endpoint targets)")
    .option("--profile <name>", "AWS profile (aws target)")
    .option("--stack <file>", "Sandbox stack file (default: fixtures/stacks/default.yaml)")
    .option("--json", "Print the checks and findings as JSON")
    .action(async (f: Flags) => {
      const { lintCommand } = await import("./lint-command.js");
      exitCode = await lintCommand(defined({ target: text(f.target) ?? "sandbox", region: text(f.region), profile: text(f.profile), stack: text(f.stack), json: f.json === true ? true : undefined }));
    });

  cli
    .command("validate <...experiments>", "Check experiment files: syntax, schema, variables, probe and fault parameters; a space, suite or runbook file as explore, gate or gameday checks it (exit 2 on errors)")
    .option("--var <key=value>", "Configuration override (repeatable; experiments and space files)")
    .option("--var-file <file>", "Variables file (repeatable; experiments and space files)")
    .action(async (experiments: string[], f: Flags) => {
      const { validateCommand } = await import("./validate-command.js");
      exitCode = await validateCommand(experiments, defined({ var: list(f.var), varFile: list(f.varFile) }));
    });

  cli
    .command("list", "List the experiments in ./experiments and the built-in catalog, and the probes and faults")
    .option("--verbose", "Also print every fault's and probe's parameters, as chaos describe does")
    .action(async (f: Flags) => {
      const { listCommand } = await import("./list-command.js");
      exitCode = await listCommand({ verbose: f.verbose === true });
    });

  cli.command("describe <name>", "Print a fault's or probe's parameters: type, default, range, description, and for faults the FIS mapping").action(async (name: string) => {
    const { describeCommand } = await import("./describe-command.js");
    exitCode = await describeCommand(String(name));
  });

  cli.command("schema", "Print the JSON Schema of the experiment format, with every fault's and probe's parameters (for editors)").action(async () => {
    const { schemaCommand } = await import("./schema-command.js");
    exitCode = await schemaCommand();
  });

  cli
    .command("recover [run-id]", "Finish the rollbacks of runs that were killed (SIGKILL, power loss), from their ledgers; runs still going are left alone")
    .option("--force", "Recover even a run whose process looks alive (its pid was reused) or ran on another host")
    .option("--var <key=value>", "A secret --var the run was given, for its declared rollbacks (repeatable)")
    .option("--var-file <file>", "Var files for the declared rollbacks' secrets (default: the run's own)")
    .option("--orphans", "Also stop the FIS experiments and delete the templates tagged gameday:run of runs with no ledger here (needs --target; only when no run goes on elsewhere)")
    .option("--target <target>", "With --orphans: aws, or an AWS-compatible endpoint URL")
    .option("--region <region>", "With --orphans: AWS region")
    .option("--profile <name>", "With --orphans: AWS profile")
    .action(async (runId: string | undefined, f: Flags) => {
      const { recoverCommand } = await import("./recover-command.js");
      exitCode = await recoverCommand(
        runId === undefined ? undefined : String(runId),
        defined({ force: f.force === true, var: list(f.var), varFile: list(f.varFile), orphans: f.orphans === true ? true : undefined, target: text(f.target), region: text(f.region), profile: text(f.profile) }),
      );
    });

  // chaos explore (src/explore): search fault schedules for one that breaks the hypothesis.
  cli
    .command("explore <experiment>", "Search fault schedules (which faults, when, how many targets, in which zone, how hard, log shipper crashes) for the smallest one that breaks the experiment's hypothesis; an experiment or a space file (experiments/spaces/<name>.yaml)")
    .option("--seed <n>", "Seed of the search and of every candidate run; the same seed and --runs give the same result")
    .option("--budget <duration>", `Wall-clock time for searching and shrinking, as PT5M or 5m (default PT5M)`)
    .option("--runs <n>", "At most this many generated schedules (default 1000)")
    .option("--shrink-runs <n>", "At most this many shrink candidates (default 300)")
    .option("--workers <n>", "Worker threads running candidates (default: the number of cores, at most that)")
    .option("--stack <file>", "Sandbox stack (default: the space file's, else fixtures/stacks/default.yaml)")
    .option("--max-faults <n>", "At most this many faults in a schedule (default 3)")
    .option("--window <duration>", "Faults start within this time from the method's start (default PT3M)")
    .option("--max-crashes <n>", "At most this many log shipper crashes (SIGKILL, FIS aws:ecs:task-kill-process) in a schedule, 0 for none (default: the space file's, else 2 when the experiment has a log-delivery probe)")
    .option("--var <key=value>", "Configuration override for every candidate (repeatable; key:type=value); written into the replay file")
    .option("--var-file <file>", "Variables file for every candidate (repeatable); its configuration is written into the replay file, its secrets are not")
    .option("--out <dir>", "Where the replay file, journal and summary go (default .gameday/explore/<name>-<seed>)")
    .action(async (experiment: string, f: Flags) => {
      const { exploreCommand } = await import("./explore-command.js");
      exitCode = await exploreCommand(
        String(experiment),
        defined({ seed: text(f.seed), budget: text(f.budget), runs: text(f.runs), shrinkRuns: text(f.shrinkRuns), workers: text(f.workers), stack: text(f.stack), out: text(f.out), maxFaults: text(f.maxFaults), window: text(f.window), maxCrashes: text(f.maxCrashes), var: list(f.var), varFile: list(f.varFile) }),
      );
    });

  cli
    .command("report <...journals>", "Write a report of one or more runs from their journals (a journal.json, or a run's directory holding one): html (charts, self-contained), md, junit, json")
    .option("--format <format>", "html, md, junit or json (repeatable or a comma list)", { default: "html" })
    .option("--out-dir <dir>", "Where the reports go (default: next to the journal: inside a run's directory given, beside a journal file, a link such as ./journal.json followed to its run's directory; for several journals, one combined report in the working directory)")
    .option("--output <file>", "The file to write, for a single format")
    .option("--title <text>", "The report's heading (default: the experiment's title, or the number of runs)")
    .action(async (journals: string[], f: Flags) => {
      const { reportCommand } = await import("./report-command.js");
      exitCode = await reportCommand(journals.map(String), defined({ format: list(f.format), outDir: text(f.outDir), output: text(f.output), title: text(f.title) }));
    });

  cli
    .command("gate <suite>", "Run a suite (experiments/suites/*.yaml) as a release gate: JUnit XML, Markdown, HTML, a resilience score")
    .option("--out-dir <dir>", "Where the journals and reports go", { default: ".gameday/gate" })
    .option("--target <target>", "Run one at a time on this target (aws, or an endpoint URL) instead of each on its own embedded sandbox")
    .option("--region <region>", "AWS region of every run (aws and endpoint targets; default AWS_REGION)")
    .option("--profile <name>", "AWS profile of every run (aws target; default AWS_PROFILE)")
    .option("--stack <file>", "Embedded sandbox stack for every run, in place of the suite's (not with --target)")
    .option("--shard <i/n>", "Run only this CI job's share of the suite (1-based; the same split everywhere)")
    .option("--baseline <dir>", "Journals of an earlier gate (its --out-dir): a p95 or a time to drain that grew past the margin fails the gate; a missing directory, or one with no journal for any run, is refused (exit 2)")
    .option("--margin <percent>", "How much a measure may grow against the baseline, as 20% or 0.2 (a bare number above 1 is refused; default: the suite's, else 20%)")
    .option("--parallel <n>", "Runs at once on embedded sandboxes (default: the machine's available parallelism)")
    .action(async (suite: string, f: Flags) => {
      const { gateCommand } = await import("./gate-command.js");
      exitCode = await gateCommand(String(suite), defined({ outDir: text(f.outDir), target: text(f.target), region: text(f.region), profile: text(f.profile), stack: text(f.stack), shard: text(f.shard), baseline: text(f.baseline), margin: text(f.margin), parallel: text(f.parallel) }));
    });

  cli
    .command("sandbox <action>", "The embedded AWS sandbox. `chaos sandbox serve`: its AWS APIs over HTTP on 127.0.0.1, for AWS_ENDPOINT_URL")
    .usage("sandbox serve [options]\n\n  serve (the one action): the stack's AWS APIs over HTTP on 127.0.0.1 (AWS_ENDPOINT_URL), its ALBs on ports of their own")
    .option("--stack <file>", "Stack file (default: fixtures/stacks/default.yaml)")
    .option("--port <port>", "Port on 127.0.0.1", { default: "4566" })
    .option("--speed <n>", "Time runs this many times faster than real time (a run's load generator against it sends that many times its rate a real second; a run warns when it cannot keep up)", { default: "1" })
    .option("--seed <n>", "Seed for the sandbox's random choices")
    .option("--alb-port <service=port>", "A load-balanced service's ALB listener on this port of 127.0.0.1 (repeatable; default: a free port each, printed at start)")
    .action(async (action: string, f: Flags) => {
      const { usage } = await import("./errors.js");
      if (action !== "serve") throw usage(`sandbox: expected the action serve, found ${JSON.stringify(action)}`);
      const { serveCommand } = await import("./serve-command.js");
      exitCode = await serveCommand(defined({ stack: text(f.stack), port: text(f.port) ?? "4566", speed: text(f.speed) ?? "1", seed: text(f.seed), albPort: list(f.albPort) }));
    });

  // Game days (src/schedule/gameday*): a runbook of experiments with checkpoints, timeboxes and notes.
  cli
    .command("gameday <runbook>", "Run a game day from its runbook (./experiments/gamedays/<name>.yaml or a path): announcement, pre-checks, experiments with timeboxes and checkpoints, notes; writes a record")
    .option("--auto", "Unattended: every checkpoint continues (no terminal needed)")
    .option("--dry", "The day on paper: the order of the day and each step's chaos run --dry on the target (guardrails, FIS templates); runs and changes nothing")
    .option("--target <target>", "sandbox (embedded, for a rehearsal), aws, or an AWS-compatible endpoint URL", { default: "sandbox" })
    .option("--region <region>", "AWS region (aws and endpoint targets)")
    .option("--profile <name>", "AWS profile (aws target)")
    .option("--stack <file>", "Embedded sandbox stack for steps that name none (not with --target)")
    .option("--speed <n>", "Sandbox in scaled real time instead of virtual time")
    .option("--seed <n>", "Seed of the first step; each later step gets the next number")
    .option("--announce-file <file>", "Also write the announcement to this file, relative to the working directory, instead of the runbook's announcement.file (for Slack or email)")
    .option("--report <format>", "Reports of the step journals beside the record: report.html always, and md, junit, json (repeatable or a comma list)")
    .action(async (runbook: string, f: Flags) => {
      const { gamedayCommand } = await import("./gameday-command.js");
      exitCode = await gamedayCommand(
        String(runbook),
        defined({
          target: text(f.target) ?? "sandbox",
          region: text(f.region),
          profile: text(f.profile),
          stack: text(f.stack),
          speed: text(f.speed),
          seed: text(f.seed),
          auto: f.auto === true ? true : undefined,
          dry: f.dry === true ? true : undefined,
          announceFile: text(f.announceFile),
          report: list(f.report),
        }),
      );
    });

  // Schedules (src/schedule/cron*): the schedules: key of gameday.yaml.
  cli
    .command("schedule <action> [...names]", "Schedules in gameday.yaml: list, next (upcoming times), run-due (run what is due, once), export (--format eventbridge|github|systemd)")
    .option("--format <format>", "export: eventbridge (CloudFormation AWS::Scheduler::Schedule), github (Actions workflow) or systemd (timer and service units)")
    .option("--out <dir>", "export: write the files into this directory instead of printing them")
    .option("--count <n>", "next: how many upcoming times per schedule", { default: "5" })
    .action(async (action: string, names: string[], f: Flags) => {
      const { scheduleCommand } = await import("./schedule-command.js");
      exitCode = await scheduleCommand(String(action), (names ?? []).map(String), defined({ format: text(f.format), out: text(f.out), count: text(f.count) }));
    });

  // iam-policy (issue 9): least-privilege IAM for an experiment.
  cli
    .command("iam-policy <experiment>", "Print least-privilege IAM policies for an experiment: the FIS experiment role its templates name (default gameday-fis; configuration.fisRoleArn overrides) and the runner")
    .option("--format <format>", "json (policy documents), cloudformation or terraform (Terraform JSON, *.tf.json)", { default: "json" })
    .option("--account <id>", "json: this account in the ARNs (default *)")
    .option("--region <region>", "json: this region in the ARNs (default *)")
    .option("--var <key=value>", "Configuration override (repeatable)")
    .option("--var-file <file>", "Variables file (repeatable)")
    .action(async (experiment: string, f: Flags) => {
      const { iamPolicyCommand } = await import("./iam-policy-command.js");
      exitCode = await iamPolicyCommand(String(experiment), defined({ format: text(f.format), account: text(f.account), region: text(f.region), var: list(f.var), varFile: list(f.varFile) }));
    });

  // setup (issue 9): the FIS role and runner policy a first run on AWS needs.
  cli
    .command("setup", "Print what a first run on AWS needs, for the whole catalog: the FIS experiment role gameday-fis (trust for fis.amazonaws.com) and the runner policy")
    .option("--print <format>", "cloudformation, terraform (Terraform JSON, *.tf.json) or json")
    .option("--role-name <name>", "Name the FIS role this instead of gameday-fis (then give experiments configuration.fisRoleArn)")
    .action(async (f: Flags) => {
      const { setupCommand } = await import("./setup-command.js");
      exitCode = await setupCommand(defined({ print: text(f.print), roleName: text(f.roleName) }));
    });

  // export (issue 9): an experiment's FIS templates and stop-condition alarms as infrastructure as code.
  cli
    .command("export <experiment>", "Print an experiment's FIS experiment templates and stop-condition alarms as FIS JSON, CloudFormation or Terraform JSON (byte-stable)")
    .option("--format <format>", "fis (CreateExperimentTemplate and PutMetricAlarm inputs), cloudformation, or terraform (*.tf.json)", { default: "cloudformation" })
    .option("--account <id>", "fis: the account in the ARNs (required for fis)")
    .option("--region <region>", "fis: the region in the ARNs (required for fis)")
    .option("--var <key=value>", "Configuration override (repeatable)")
    .option("--var-file <file>", "Variables file (repeatable)")
    .action(async (experiment: string, f: Flags) => {
      const { exportCommand } = await import("./export-command.js");
      exitCode = await exportCommand(String(experiment), defined({ format: text(f.format), account: text(f.account), region: text(f.region), var: list(f.var), varFile: list(f.varFile) }));
    });

  // stop (issue 9): the emergency stop, from any machine.
  cli
    .command("stop [run-id]", "Emergency stop: stop every running FIS experiment gameday started (tagged gameday:run), then recover the runs recorded here")
    .option("--all", "Every gameday run's experiments, not one run's")
    .option("--target <target>", "aws, or an AWS-compatible endpoint URL")
    .option("--region <region>", "AWS region")
    .option("--profile <name>", "AWS profile (aws target)")
    .action(async (runId: string | undefined, f: Flags) => {
      const { stopCommand } = await import("./stop-command.js");
      exitCode = await stopCommand(runId === undefined ? undefined : String(runId), defined({ all: f.all === true ? true : undefined, target: text(f.target), region: text(f.region), profile: text(f.profile) }));
    });

  cli.help((sections) => {
    const command = cli.matchedCommand?.name;
    if (command === undefined) return [...sections, { title: "Exit codes of chaos run (each command's --help lists its own)", body: EXIT_CODES }];
    // The FIS role a first run on AWS needs (issue 9): named here so that it is never a surprise.
    const fisRole = command === "run" ? [{ title: "FIS role (aws and endpoint targets)", body: FIS_ROLE_HELP }] : [];
    const files = command === "validate" ? [{ title: "Files", body: VALIDATE_HELP }] : [];
    return [...sections, ...fisRole, ...files, { title: "Exit codes", body: COMMAND_EXIT_CODES[command] ?? OTHER_EXIT_CODES }];
  });
  cli.version(VERSION);

  const args = joinNegativeValues(argv, valueOptionNames([cli.globalCommand, ...cli.commands]));
  cli.parse(args, { run: false });
  // The values as typed, not as mri read them: `--parallel ''` is "", not 0 (argv.ts).
  if (cli.matchedCommand) restoreTypedValues(cli.options, args.slice(2), valueOptionNames([cli.globalCommand, cli.matchedCommand]));
  if (cli.options.help || cli.options.version) return 0;
  if (!cli.matchedCommand) {
    if (cli.args.length === 0) {
      cli.outputHelp();
      process.stderr.write("chaos: a command is needed\n");
      return 2;
    }
    const { suggestion } = await import("../experiment/describe.js");
    const name = String(cli.args[0]);
    process.stderr.write(`chaos: unknown command: ${name}${suggestion(name, cli.commands.map((c) => c.name))}; see chaos --help\n`);
    return 2;
  }
  // A command runs: the V8 code cache goes in front of every CommonJS file it loads (yaml, the
  // AWS SDK however it is required); see src/aws/sdk/code-cache.ts. --help never gets here.
  const { processCodeCache } = await import("../aws/sdk/code-cache.js");
  processCodeCache()?.install();
  // The SDK's aggregated client classes (`new EC2()`), unused by gameday, are built on first use
  // rather than as each client package loads: see src/aws/sdk/aggregated-clients.ts.
  (await import("../aws/sdk/aggregated-clients.js")).install();
  await cli.runMatchedCommand();
  return exitCode;
}

/**
 * The whole command as a process runs it: the process-wide setup, the command, its exit code in
 * process.exitCode. Called below when this file is run, and by the startup snapshot's main
 * (src/cli/snapshot-main.ts), which has the same process to set up and the same argv shape.
 */
export function runCli(argv: string[]): Promise<void> {
  // The pinned AWS SDK warns once per process that its releases after January 2027 will need Node 22.
  // The pinned versions keep working on Node 20 (see README, "Node versions"); keep the output clean.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // `chaos run … | head`: the closed pipe must not end a run before its rollbacks.
  dropOutputWhenReaderCloses();

  // Peak memory of long runs: V8's headroom above the live heap, not the live heap, was most of it.
  keepHeapNearLiveSet();
  // Short runs spend more on V8's optimizing compiler than it saves them: it starts once a run is long.
  optimizeLongRunsOnly();

  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    async (err: unknown) => {
      // Loaded only on the error path, so that --help does not pay for them.
      const { CliError } = await import("./errors.js");
      const { InvalidInputError, formatInputError } = await import("../experiment/model.js");
      if (err instanceof Error && err.name === "CACError") {
        // A usage mistake: an unknown option or a missing argument.
        const { unknownOptionAsTyped } = await import("./argv.js");
        // The command's own help lists its options: the first word that is not an option names it.
        const command = argv.slice(2).find((a) => !a.startsWith("-"));
        const help = command !== undefined && /^[a-z][a-z-]*$/.test(command) ? `chaos ${command} --help` : "chaos --help";
        process.stderr.write(`chaos: ${unknownOptionAsTyped(err.message, argv.slice(2))} (see ${help})\n`);
        process.exitCode = 2;
      } else if (err instanceof InvalidInputError) {
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
}

// Run when this file is the program; building the startup snapshot only loads it (the snapshot's
// main calls runCli when a process starts from it).
if (!startupSnapshot.isBuildingSnapshot()) void runCli(process.argv);
