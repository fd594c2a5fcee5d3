import { mkdtempSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExperiment, parseExperiment } from "../../src/experiment/loader.js";
import { InvalidInputError, type ActivityStep, type FaultStep, type HttpProvider, type ProbeStep, type ProcessProvider } from "../../src/experiment/model.js";
import { errorsOf, FIXTURES } from "./helpers.js";

const CATALOG = new URL("../../experiments/", import.meta.url).pathname;

describe("a gameday experiment", () => {
  const file = `${FIXTURES}spot-drain.yaml`;
  const loaded = parseExperiment(readFileSync(file, "utf8"), file, { env: {} });
  const { experiment } = loaded;

  it("normalises every step into one of the four kinds, with generated unique names", () => {
    expect(experiment.method.map((s) => [s.kind, s.name])).toEqual([
      ["fault", "fault:spot-interrupt"],
      ["probe", "probe:draining"],
      ["pause", "pause:PT3M"],
    ]);
    expect(experiment.steadyStateHypothesis?.probes.map((s) => s.name)).toEqual(["probe:http-slo"]);
    expect(experiment.stopConditions.map((s) => s.name)).toEqual(["probe:http-slo#2"]);
  });

  it("substitutes configuration and converts durations and modes", () => {
    const fault = experiment.method[0] as FaultStep;
    expect(fault.target).toEqual({ cluster: "web", select: "COUNT(1)" });
    expect(fault.with).toEqual({ durationBeforeInterruption: "PT2M" });
    expect(experiment.method[1]).toMatchObject({ kind: "probe", mode: "on-chaos", attempts: 1, stopOnFailure: false, with: { within: "PT2M" } });
    expect(experiment.method[2]).toMatchObject({ kind: "pause", duration: 180_000 });
    expect(experiment.runtime).toEqual({ hypothesis: "continuously", interval: 5000, rollbacks: "always", failFast: false });
  });

  it("parses tolerances", () => {
    expect(experiment.stopConditions[0]?.tolerance).toEqual({
      kind: "fields",
      fields: { availability: { kind: "compare", op: ">=", value: 0.95, source: ">= 0.95" } },
    });
  });

  it("keeps positions for the engine: steps and the inside of their with: blocks", () => {
    expect(loaded.positionOf(["method", 0, "with", "durationBeforeInterruption"])).toEqual({ line: 13, column: 41 });
    expect(loaded.positionOf(["steady-state-hypothesis", "probes", 0, "with", "rps"])).toEqual({ line: 8, column: 34 });
    for (const step of experiment.method) expect(loaded.positionOf(step.at)).toBeDefined();
    expect(loaded.positionOf(["method", 0, "with", "nope"])).toBeUndefined();
    expect(loaded.positionOf(["method", 9])).toBeUndefined();
  });

  it("keeps the document as authored, before substitution", () => {
    expect((loaded.raw as { method: { target: unknown }[] }).method[0]?.target).toEqual({ cluster: "${cluster}", select: "COUNT(1)" });
  });
});

describe("a richer gameday experiment", () => {
  const file = `${FIXTURES}kinesis-outage.yaml`;
  const { experiment, secretValues } = parseExperiment(readFileSync(file, "utf8"), file, { env: { SHIPPER_WEBHOOK_TOKEN: "tok" } });

  it("reads every probe option", () => {
    expect(experiment.method[1]).toMatchObject({
      kind: "probe",
      name: "probe:spool-size",
      mode: "continuous",
      interval: 10_000,
      probeTimeout: 2000,
      attempts: 3,
      initialDelay: 30_000,
      stopOnFailure: true,
      tolerance: { kind: "compare", op: "<=", value: 256 * 1024 * 1024, unit: "MiB" },
    });
    expect(experiment.method[0]).toMatchObject({ kind: "fault", background: true, with: { duration: "PT10M" } });
    expect(experiment.method[2]).toMatchObject({ kind: "pause", duration: 600_000, name: "pause:PT10M" });
  });

  it("resolves a ref to a copy with its own name", () => {
    const copy = experiment.method[5] as ProbeStep;
    expect(copy).toMatchObject({ kind: "probe", probe: "log-delivery", name: "delivered#2", at: ["method", 5] });
    expect(copy.tolerance).toEqual((experiment.steadyStateHypothesis?.probes[0] as ProbeStep).tolerance);
    const names = [...(experiment.steadyStateHypothesis?.probes ?? []), ...experiment.method, ...experiment.rollbacks, ...experiment.stopConditions].map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("drops a method probe's mode from its copy among the stop conditions", () => {
    const text = "title: t\nmethod:\n  - probe: slo\n    name: slo\n    mode: on-chaos\nstop-conditions:\n  - ref: slo\n";
    const loaded = parseExperiment(text, "exp.yaml", { env: {} });
    expect(loaded.experiment.method[0]).toMatchObject({ mode: "on-chaos" });
    expect(loaded.experiment.stopConditions[0]).toMatchObject({ kind: "probe", probe: "slo", name: "slo#2" });
    expect(loaded.experiment.stopConditions[0]).not.toHaveProperty("mode");
  });

  it("fills Chaos Toolkit defaults in and keeps $${...} literal", () => {
    const health = experiment.method[4] as ActivityStep;
    expect(health.provider).toEqual({
      type: "http",
      url: "http://127.0.0.1:9880/health",
      method: "GET",
      headers: { "X-Token": "tok" },
      timeout: { connect: 2000, read: 2000 },
      verifyTls: true,
      maxRetries: 0,
    } satisfies HttpProvider);
    const flush = experiment.rollbacks[0] as ActivityStep;
    expect(flush.provider).toEqual({
      type: "process",
      path: "./bin/shipper",
      arguments: ["flush", "--region", "us-east-1", "--literal", "${not_a_variable}"],
      timeout: 60_000,
      env: { LOG_LEVEL: "debug", WORKERS: "2" },
    } satisfies ProcessProvider);
    expect(flush.pauses).toEqual({ before: 5000, after: 10_000 });
    expect(secretValues).toEqual(["tok"]);
  });

  it("reads the runtime with Chaos Toolkit's nested strategies next to gameday's fields", () => {
    expect(experiment.runtime).toEqual({ hypothesis: "during-method-only", interval: 2000, rollbacks: "deviated", failFast: true });
    expect(experiment.contributions).toEqual({ durability: "high", latency: "low" });
    expect(experiment.version).toBe("2");
  });
});

describe("runtime", () => {
  const runtimeOf = (yaml: string) => parseExperiment(`title: t\nmethod: []\n${yaml}`, "exp.yaml", { env: {} }).experiment.runtime;

  it("defaults to hypothesis default, 5 s interval, rollbacks always, no fail-fast", () => {
    expect(runtimeOf("")).toEqual({ hypothesis: "default", interval: 5000, rollbacks: "always", failFast: false });
  });

  it("takes Chaos Toolkit's frequency as the interval and its default rollback strategy as always", () => {
    expect(runtimeOf("runtime:\n  hypothesis: { strategy: continously, frequency: 0.5 }\n  rollbacks: { strategy: default }\n")).toEqual({
      hypothesis: "continuously",
      interval: 500,
      rollbacks: "always",
      failFast: false,
    });
  });

  it("rejects both a frequency and an interval", () => {
    const errors = errorsOf("title: t\nmethod: []\nruntime:\n  hypothesis: { strategy: continuously, frequency: 1 }\n  interval: 2s\n");
    expect(errors).toMatchObject([{ path: "runtime.interval", position: { line: 5, column: 13 }, expected: "either `interval` or `hypothesis.frequency`, not both" }]);
  });
});

describe("formats", () => {
  const yaml = "title: t\nmethod:\n  - pause: 5s\n";
  const json = '{"title": "t", "method": [{"pause": "5s"}]}';

  it("reads YAML and JSON by extension, and sniffs JSON when the extension says nothing", () => {
    for (const [text, file] of [[yaml, "a.yaml"], [yaml, "a.yml"], [json, "a.json"], [json, "a.experiment"], [yaml, "Chaosfile"]] as const) {
      expect(parseExperiment(text, file, { env: {} }).experiment.method).toMatchObject([{ kind: "pause", duration: 5000 }]);
    }
  });

  it("is strict about JSON in .json files", () => {
    expect(errorsOf("title: t\nmethod: []\n", "a.json")[0]).toMatchObject({ expected: "valid JSON: strings in double quotes", found: "the unquoted value `title`", position: { line: 1, column: 1 } });
  });

  it("says a FIS template given as an experiment is one, in a single error pointing to --fis-template", () => {
    const template = readFileSync(new URL("../../fixtures/fis/valid/spot-interrupt.json", import.meta.url), "utf8");
    const errors = errorsOf(template, "template.json");
    expect(errors).toEqual([expect.objectContaining({ path: "(document)", expected: "an experiment (`title` and `method`)" })]);
    expect(errors[0]?.found).toContain("chaos run --fis-template FILE");
    // As `aws fis get-experiment-template` prints it, too.
    const output = JSON.stringify({ experimentTemplate: { id: "EXT1", ...JSON.parse(template) } });
    expect(errorsOf(output, "got.json").map((e) => e.expected)).toEqual(["an experiment (`title` and `method`)"]);
    // An experiment that merely has those keys is checked as an experiment.
    expect(errorsOf('{"title": "t", "actions": {}, "targets": {}}', "a.json").map((e) => e.path)).toContain("method");
  });

  it("says a sandbox stack file given as an experiment is one, in a single error pointing to --stack", () => {
    const stack = readFileSync(new URL("../../fixtures/stacks/default.yaml", import.meta.url), "utf8");
    const errors = errorsOf(stack, "default.yaml");
    expect(errors).toEqual([expect.objectContaining({ path: "(document)", expected: "an experiment (`title` and `method`)" })]);
    expect(errors[0]?.found).toBe("a sandbox stack file (`availabilityZones`, `clusters`, ...): give it with --stack, and the experiment to run on it");
    // A variant of a stack says little more than extends:.
    expect(errorsOf("extends: default.yaml\ntargetGroups: []\n", "variant.yaml").map((e) => e.found)).toEqual([expect.stringContaining("give it with --stack")]);
    // An experiment with a stray stack key is checked as an experiment.
    expect(errorsOf("title: t\nclusters: []\n", "a.yaml").map((e) => e.path)).toContain("method");
  });

  it("says a suite, a runbook, a space file or a run journal given as an experiment is one, naming the command that reads it", () => {
    const catalog = (path: string) => readFileSync(new URL(`../../experiments/${path}`, import.meta.url), "utf8");
    const found = (text: string, file: string) => {
      const errors = errorsOf(text, file);
      expect(errors).toHaveLength(1);
      return errors[0]!.found;
    };
    expect(found(catalog("suites/release.yaml"), "release.yaml")).toBe("a suite (`experiments:`): run it with chaos gate FILE");
    expect(found(catalog("gamedays/kinesis-and-spot.yaml"), "gd.yaml")).toBe("a game-day runbook (`steps:`): run it with chaos gameday FILE");
    expect(found(catalog("spaces/spot-headroom.yaml"), "space.yaml")).toBe("a space file (`explore:`): search it with chaos explore FILE");
    expect(found('{"gameday": {}, "experiment": {}, "status": "completed"}', "journal.json")).toBe("a run journal (written by chaos run): read it with chaos report FILE");
    // An experiment that has a method is checked as one, whatever else it has.
    expect(errorsOf("title: t\nsteps: []\nmethod: []\n", "a.yaml").map((e) => e.path)).toEqual(["steps"]);
  });

  it("points at a [ or { left open, not at the line where the parser noticed it", () => {
    const [seq, ...more] = errorsOf("title: t\nconfiguration:\n  notice: [PT2M, 'it''s [x'\n\nmethod: []\n");
    expect(more).toEqual([]);
    expect(seq).toMatchObject({ position: { line: 3, column: 11 }, expected: "valid YAML" });
    expect(seq?.found).toMatch(/^a `\[` that is never closed with `\]` \(noticed at line 5: flow sequence in block collection must be sufficiently indented and end with a \]\)$/);
    const [map] = errorsOf("title: t # a [ in a comment\nmethod:\n  - fault: f\n    target: { cluster: prod\n  - pause: PT1S\n");
    expect(map).toMatchObject({ position: { line: 4, column: 13 } });
    expect(map?.found).toMatch(/^a `\{` that is never closed with `\}` \(noticed at line 5: /);
  });

  it("ignores a byte-order mark", () => {
    expect(parseExperiment(`\uFEFF${yaml}`, "a.yaml", { env: {} }).positionOf(["title"])).toEqual({ line: 1, column: 8 });
  });

  it("rejects keys that are maps and aliases that expand too often", () => {
    expect(errorsOf("title: t\nmethod: []\n? [a]\n: 1\n")[0]).toMatchObject({ expected: "a plain key (a name)", position: { line: 3, column: 3 } });
    const bomb = `a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\ntitle: t\nmethod: []\n`;
    expect(errorsOf(bomb)[0]?.expected).toContain("aliases expand at most");
  });

  it("rejects a value that contains itself through an alias", () => {
    const [error, ...rest] = errorsOf("title: t\nmethod:\n  - &step\n    fault: f\n    with: { again: *step }\n");
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ path: "method[0].with.again", position: { line: 5, column: 13 }, expected: "a value that does not contain itself" });
  });
});

describe("loadExperiment", () => {
  it("reads the file and the environment of the process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-exp-"));
    const file = join(dir, "exp.yaml");
    writeFileSync(file, 'title: t\nmethod:\n  - fault: f\n    target: { home: "${env:GAMEDAY_LOADER_TEST}" }\n');
    process.env.GAMEDAY_LOADER_TEST = "from-process";
    try {
      const loaded = await loadExperiment(file);
      expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ home: "from-process" });
      expect(loaded.file).toBe(file);
    } finally {
      delete process.env.GAMEDAY_LOADER_TEST;
    }
  });

  it("reads var files asynchronously with the same result as parseExperiment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-exp-"));
    const file = join(dir, "kinesis.yaml");
    copyFileSync(`${FIXTURES}kinesis-outage.yaml`, file);
    const options = { env: {}, varFiles: [`${FIXTURES}vars/ctk-style.yaml`, `${FIXTURES}vars/staging.env`] };
    const fromFile = await loadExperiment(file, options);
    const fromText = parseExperiment(readFileSync(file, "utf8"), file, options);
    expect(fromFile.experiment).toEqual(fromText.experiment);
    expect(fromFile.secretValues).toEqual(["from-var-file"]);
  });

  it("reports a missing file or a directory as invalid input, not as a crash", async () => {
    await expect(loadExperiment("/nonexistent/exp.yaml")).rejects.toMatchObject({
      errors: [{ file: "/nonexistent/exp.yaml", path: "(document)", expected: "a readable experiment file", found: "no such file" }],
    });
    const err = await loadExperiment(tmpdir()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).errors[0]?.found).toBe("a directory");
  });
});

describe("the experiment catalog", () => {
  const files = readdirSync(CATALOG).filter((f) => /\.(ya?ml|json)$/.test(f));

  it.each(files)("experiments/%s loads", (name) => {
    const loaded = parseExperiment(readFileSync(join(CATALOG, name), "utf8"), name, { env: {} });
    expect(loaded.experiment.method.length).toBeGreaterThan(0);
  });
});
