import { vi, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chaos, REPO, scratch } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const stack = (name: string) => join(REPO, "fixtures", "stacks", `${name}.yaml`);
const journal = (dir: string) => JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));

describe("chaos run on the embedded sandbox", () => {
  it("spot-interrupt holds on the default stack: the notice lands, the instance drains, nothing is lost", async () => {
    const dir = scratch();
    const r = await chaos(["run", "spot-interrupt", "--seed", "42"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/seed 42/);
    expect(r.stdout).toMatch(/ACTIVE -> DRAINING/);
    expect(r.stdout).toMatch(/verdict: held \(exit 0\)/);
    const j = journal(dir);
    expect(j.status).toBe("completed");
    expect(j.gameday.verdict).toBe("held");
    expect(j.gameday.faults[0].verification.landed).toBe(true);
    expect(j.gameday.faults[0].targets[0].resourceType).toBe("aws:ec2:spot-instance");
    const draining = j.gameday.probes.find((p: { step: string }) => p.step === "drained-in-time");
    expect(draining).toMatchObject({ mode: "on-chaos", verdict: "passed" });
    expect(draining.last.value).toMatchObject({ instances: 1, drained: 1, tasksKilledByTermination: 0 });
  });

  it("the same seed gives the same journal (but for its wall-clock times), a different seed a different one", async () => {
    const [a, b, c] = [scratch(), scratch(), scratch()];
    await chaos(["run", "spot-interrupt", "--seed", "7"], { cwd: a });
    await chaos(["run", "spot-interrupt", "--seed", "7"], { cwd: b });
    await chaos(["run", "spot-interrupt", "--seed", "8"], { cwd: c });
    // When the run really happened (gameday.wallClock) is the one thing a replay cannot repeat.
    const replayable = (dir: string) => {
      const j = journal(dir);
      expect(j.gameday.wallClock.start).toMatch(/^\d{4}-/);
      delete j.gameday.wallClock;
      return JSON.stringify(j);
    };
    const ja = replayable(a);
    expect(replayable(b)).toBe(ja);
    expect(replayable(c)).not.toBe(ja);
  });

  it("spot-interrupt deviates with AWS's default 300 s deregistration delay: a task dies with the instance", async () => {
    const dir = scratch();
    const r = await chaos(["run", "spot-interrupt", "--seed", "42", "--stack", stack("dereg-300")], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verdict: deviated/);
    const draining = journal(dir).gameday.probes.find((p: { step: string }) => p.step === "drained-in-time");
    expect(draining.verdict).toBe("failed");
    expect(draining.last.value.tasksKilledByTermination).toBeGreaterThan(0);
  });

  it("task-kill holds: the tasks stop, the service recovers within a minute and the web path keeps its SLO", async () => {
    const dir = scratch();
    const r = await chaos(["run", "task-kill", "--seed", "3"], { cwd: dir });
    expect(r.code).toBe(0);
    const j = journal(dir);
    expect(j.gameday.faults[0].verification.landed).toBe(true);
    expect(j.gameday.faults[0].targets).toHaveLength(1);
    expect(j.gameday.probes.find((p: { step: string }) => p.step === "web-recovers").verdict).toBe("passed");
  });

  it("--dry prints the plan and the FIS template and changes nothing", async () => {
    const dir = scratch();
    const r = await chaos(["run", "spot-interrupt", "--dry"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/aws:ec2:send-spot-instance-interruptions/);
    expect(r.stdout).toMatch(/"durationBeforeInterruption": "PT2M"/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    expect(existsSync(join(dir, "journal.json"))).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });
});

describe("bad input", () => {
  it("is reported with file, line, column, path, expected and found, exit 2, no stack trace", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "broken.yaml"),
      ["title: broken", "description: x", "method:", "  - fault: spot-interrupt", "    target: { cluster: prod, tags: { chaos: ok }, select: SOME(2) }", "  - pause: PT3X", ""].join("\n"),
    );
    const r = await chaos(["run", "broken.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/broken\.yaml:6:\d+: method\[1\]\.pause: expected .*duration/);
    const v = await chaos(["validate", "broken.yaml"], { cwd: dir });
    expect(v.code).toBe(2);
  });

  it("an unknown experiment name lists the known ones", async () => {
    const r = await chaos(["run", "spot-interupt"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no experiment named "spot-interupt" in \.\/experiments or the built-in catalog \(did you mean `spot-interrupt`\?\); known: .*spot-interrupt/);
  });

  it("a usage error exits 2", async () => {
    const r = await chaos(["run", "spot-interrupt", "--seed", "minus-one"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed: expected an integer/);
  });
});

describe("the other commands", () => {
  it("--help answers without loading the SDK, and lists the commands and exit codes", async () => {
    // A module loader hook in the child records every AWS SDK (and zod, yaml) module it resolves.
    const dir = scratch();
    const log = join(dir, "loaded.txt");
    writeFileSync(
      join(dir, "hooks.mjs"),
      [
        'import { appendFileSync } from "node:fs";',
        "let log;",
        "export function initialize(data) { log = data.log; }",
        "export async function resolve(specifier, context, next) {",
        "  const r = await next(specifier, context);",
        "  if (/\\/node_modules\\/(@aws-sdk|@smithy|zod|yaml)\\//.test(r.url)) appendFileSync(log, r.url + \"\\n\");",
        "  return r;",
        "}",
      ].join("\n"),
    );
    // gameday loads the SDK with require (src/aws/sdk/load.ts), which the ES module hook does not
    // see: the preload also records what the CommonJS loader resolves.
    writeFileSync(
      join(dir, "preload.mjs"),
      [
        'import { appendFileSync } from "node:fs";',
        'import Module, { register } from "node:module";',
        `register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)}, { data: { log: ${JSON.stringify(log)} } });`,
        "const resolveFilename = Module._resolveFilename;",
        "Module._resolveFilename = function (...args) {",
        "  const file = resolveFilename.apply(this, args);",
        `  if (/\\/node_modules\\/(@aws-sdk|@smithy|zod|yaml)\\//.test(file)) appendFileSync(${JSON.stringify(log)}, file + "\\n");`,
        "  return file;",
        "};",
      ].join("\n"),
    );
    const env = { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, "preload.mjs")).href}` };
    const loaded = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    // node main.js's module loading (the startup snapshot loads nothing from node_modules).
    const via = "main";

    const r = await chaos(["--help"], { cwd: dir, env, via });
    expect(r.code).toBe(0);
    for (const c of ["run", "validate", "list", "schema", "recover", "sandbox"]) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
    expect(r.stdout).toMatch(/130\s+interrupted/);
    expect(loaded()).toBe("");

    // The hook does see the SDK when a command needs it.
    const dry = await chaos(["run", "spot-interrupt", "--dry"], { cwd: dir, env, via });
    expect(dry.code).toBe(0);
    expect(loaded()).toMatch(/node_modules\/@aws-sdk\/client-/);
  });

  it("list shows the built-in catalog, probes and faults", async () => {
    const r = await chaos(["list"], { cwd: scratch() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/spot-interrupt\s+A spot interruption/);
    expect(r.stdout).toMatch(/draining/);
    expect(r.stdout).toMatch(/kinesis-outage/);
  });

  it("schema prints a JSON Schema editors can use", async () => {
    const r = await chaos(["schema"], { cwd: scratch() });
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toMatch(/json-schema/);
    expect(JSON.stringify(schema)).toMatch(/steady-state-hypothesis/);
  });

  it("validate accepts the built-in experiments", async () => {
    const r = await chaos(["validate", "spot-interrupt", "task-kill"], { cwd: scratch() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
