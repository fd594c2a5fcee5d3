import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMargin, parseSuite, readSuite } from "../../src/gate/suite.js";
import { parseShard, shardOf } from "../../src/gate/shard.js";
import { resilienceScore } from "../../src/gate/score.js";
import { regressions } from "../../src/gate/baseline.js";
import { githubAnnotations } from "../../src/gate/output.js";
import { formatInputError, InvalidInputError } from "../../src/experiment/model.js";
import type { GateResult } from "../../src/gate/gate.js";
import type { RunReport } from "../../src/report/index.js";

function errorsOf(text: string): string[] {
  try {
    parseSuite(text, "suites/gate.yaml", "/repo/experiments/suites/gate.yaml");
  } catch (err) {
    if (err instanceof InvalidInputError) return err.errors.map(formatInputError);
    throw err;
  }
  return [];
}

describe("suite files", () => {
  it("expand entries into runs, one per seed, with paths relative to the suite file and vars as strings", () => {
    const suite = parseSuite(
      ["title: t", "experiments:", "  - experiment: spot-interrupt", "    seeds: [1, 2]", "    weight: 8", "  - experiment: ../mine.yaml", "    stack: ../../fixtures/stacks/dereg-300.yaml", "    vars: { n: 3, on: true }", "gate: { minScore: 90, margin: 10% }", ""].join("\n"),
      "suites/gate.yaml",
      "/repo/experiments/suites/gate.yaml",
    );
    expect(suite.runs.map((r) => [r.id, r.experiment, r.seed, r.weight, r.position?.line])).toEqual([
      ["spot-interrupt-s1", "spot-interrupt", 1, 8, 3],
      ["spot-interrupt-s2", "spot-interrupt", 2, 8, 3],
      ["mine", "/repo/experiments/mine.yaml", 1, 5, 6],
    ]);
    expect(suite.runs[2]!.stack).toBe("/repo/fixtures/stacks/dereg-300.yaml");
    expect(suite.runs[2]!.vars).toEqual({ n: "3", on: "true" });
    expect(suite.gate).toEqual({ allHeld: true, minScore: 90, margin: 0.1 });
  });

  it("report every mistake at once, at its line, with what was expected", () => {
    const errors = errorsOf(["title: t", "experiments:", "  - experiment: spot-interrupt", "    weight: 11", "    seed: [1]", "  - experiment: spot-interrupt", "gate: { minScore: high }", ""].join("\n"));
    expect(errors).toEqual([
      expect.stringMatching(/^suites\/gate\.yaml:4:13: experiments\[0\]\.weight: expected a weight from 0 to 10, found 11$/),
      expect.stringMatching(/^suites\/gate\.yaml:5:5: experiments\[0\]\.seed: expected .*seeds.*found/),
      expect.stringMatching(/^suites\/gate\.yaml:7:\d+: gate\.minScore: expected a score from 0 to 100, found "high"$/),
    ]);
    expect(errorsOf("title: t\nexperiments:\n  - experiment: a\n  - experiment: a\n")).toEqual([expect.stringMatching(/^suites\/gate\.yaml:4:17: experiments\[1\]\.experiment: expected a name no other entry has/)]);
  });
});

describe("margins", () => {
  const suiteWith = (margin: string) => `title: t\nexperiments:\n  - experiment: a\ngate:\n  margin: ${margin}\n`;

  it("in a suite: a percentage or a share of 1 or less; a bare number above 1 (20 for 20%) is refused at its line", () => {
    expect(parseSuite(suiteWith("20%"), "s.yaml").gate.margin).toBe(0.2);
    expect(parseSuite(suiteWith("150%"), "s.yaml").gate.margin).toBe(1.5);
    expect(parseSuite(suiteWith("0.2"), "s.yaml").gate.margin).toBe(0.2);
    expect(parseSuite(suiteWith("1"), "s.yaml").gate.margin).toBe(1);
    expect(errorsOf(suiteWith("20"))).toEqual(["suites/gate.yaml:5:11: gate.margin: expected a share such as \"20%\" or 0.2 (a bare number is a share of 1: 0.2 is 20%), found 20"]);
    expect(errorsOf(suiteWith("1.5"))).toEqual([expect.stringMatching(/^suites\/gate\.yaml:5:11: gate\.margin: expected a share such as "20%" or 0\.2 .*, found 1\.5$/)]);
    expect(errorsOf(suiteWith("-1"))).toEqual([expect.stringMatching(/^suites\/gate\.yaml:5:11: gate\.margin: expected .*, found -1$/)]);
  });

  it("a suite has no baseline of its own: a gate.baseline key is refused, not ignored", () => {
    expect(errorsOf("title: t\nexperiments:\n  - experiment: a\ngate:\n  baseline: base\n")).toEqual([expect.stringMatching(/^suites\/gate\.yaml:5:3: gate\.baseline: /)]);
  });

  it("on the command line: the same rule", () => {
    expect(parseMargin("20%")).toBe(0.2);
    expect(parseMargin("0.2")).toBe(0.2);
    expect(parseMargin(" 150% ")).toBe(1.5);
    expect(parseMargin("1")).toBe(1);
    expect(parseMargin(".2")).toBe(0.2);
    for (const bad of ["20", "1.5", "-1", "abc", "%", "", "."]) expect(parseMargin(bad), bad).toBeUndefined();
  });
});

describe("a suite read for a gate", () => {
  const experiments = fileURLToPath(new URL("../../experiments/", import.meta.url));
  const catalog = { find: (name: string) => (["task-kill", "spot-interrupt"].includes(name) ? join(experiments, `${name}.yaml`) : undefined), names: () => ["task-kill", "spot-interrupt"] };

  it("reports each entry's unknown experiment, undeclared var and missing stack with the suite's own mistakes, at their lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "suite-"));
    const path = join(dir, "gate.yaml");
    writeFileSync(path, ["title: t", "experiments:", "  - experiment: task-kil", "    weight: 11", "  - experiment: task-kill", "    vars: { servce: web }", "    stack: nope.yaml", ""].join("\n"));
    let errors: string[] = [];
    try {
      await readSuite("gate.yaml", path, catalog);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      errors = err.errors.map(formatInputError);
    }
    expect(errors).toEqual([
      'gate.yaml:3:17: experiments[0].experiment: expected an experiment\'s name (./experiments, then the catalog) or a path relative to the suite file (did you mean `task-kill`?), found "task-kil": no experiment of that name',
      "gate.yaml:4:13: experiments[0].weight: expected a weight from 0 to 10, found 11",
      expect.stringMatching(/^gate\.yaml:6:13: experiments\[1\]\.vars\.servce: expected a key that \S+task-kill\.yaml declares .*\(did you mean `service`\?\), found `servce`, which it neither declares nor uses$/),
      'gate.yaml:7:12: experiments[1].stack: expected a stack file, relative to the suite file, found "nope.yaml": no such file',
    ]);
  });
});

describe("sharding", () => {
  it("splits the same way every time, and the shards together take every run exactly once", () => {
    const runs = ["a", "b", "c", "d", "e"];
    expect([1, 2, 3].map((i) => shardOf(runs, { index: i, count: 3 }))).toEqual([["a", "d"], ["b", "e"], ["c"]]);
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/2", "3/2", "1", "a/b", "1/0"]) expect(parseShard(bad)).toBeUndefined();
  });
});

describe("the resilience score (Litmus: weighted probe success)", () => {
  it("weighs each run's probe success by its weight", () => {
    expect(resilienceScore([{ weight: 8, percent: 100 }, { weight: 2, percent: 50 }])).toBe(90);
    expect(resilienceScore([{ weight: 0, percent: 100 }, { weight: 0, percent: 50 }])).toBe(75);
  });
});

describe("regressions against a baseline", () => {
  it("flag a measure that grew past the margin, not one within it", () => {
    expect(regressions({ p95Ms: 130, secondsToDrain: 40 }, { p95Ms: 100, secondsToDrain: 35 }, 0.2)).toEqual([{ measure: "p95 (ms)", baseline: 100, current: 130 }]);
    expect(regressions({ p95Ms: 119 }, { p95Ms: 100 }, 0.2)).toEqual([]);
    expect(regressions({ secondsToDrain: 1 }, { secondsToDrain: 0 }, 0.2)).toEqual([{ measure: "time to drain (s)", baseline: 0, current: 1 }]);
  });
});

describe("GitHub annotations", () => {
  it("point at the failed run's suite entry, with the message escaped as workflow commands require", () => {
    const report = { verdict: "deviated", summary: "deviated: 50% of\nreadings", replay: "chaos run x --seed 1" } as RunReport;
    const result = { outcomes: [{ run: { id: "spot", seed: 1, position: { line: 3, column: 5 } }, report, regressions: [] }], score: 50 } as unknown as GateResult;
    const suite = { file: "suites/a,b.yaml", gate: { allHeld: true, minScore: 60, margin: 0.2 } } as never;
    expect(githubAnnotations(suite, result)).toEqual([
      "::error file=suites/a%2Cb.yaml,line=3,col=5,title=spot (seed 1)::deviated: 50%25 of%0Areadings%0Areplay: chaos run x --seed 1",
      "::error file=suites/a%2Cb.yaml,title=resilience score::resilience score 50.0 is below the minimum 60",
    ]);
  });
});
