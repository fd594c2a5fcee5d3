import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRunbook, loadRunbookForRun, rolesLine } from "../../src/schedule/gameday-runbook.js";
import { CHAOS_COMMANDS, type PreCheckContext } from "../../src/schedule/chaos-precheck-args.js";
import type { ExperimentCatalog } from "../../src/schedule/experiment-references.js";
import { formatInputError, InvalidInputError } from "../../src/experiment/model.js";

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "runbook-")), "drill.yaml");
  writeFileSync(file, text);
  return loadRunbook(file, "drill.yaml");
}

function errorsOf(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.errors.map(formatInputError);
    throw err;
  }
  throw new Error("no error");
}

describe("runbooks", () => {
  it("reads roles, the announcement in either form, pre-checks, timeboxes and checkpoints", () => {
    const r = load(`title: Drill
roles: { facilitator: Ana, observers: [Bo] }
announcement: Starting now
pre-checks:
  - http: { url: "http://127.0.0.1:8080/health" }
  - chaos: [run, spot-interrupt, --dry]
steps:
  - experiment: spot-interrupt
    timebox: PT10M
    checkpoint: false
  - experiment: task-kill
    vars: { count: 2, dry: true }
`).runbook;
    expect(r.announcement).toEqual({ message: "Starting now" });
    expect(r["pre-checks"]).toEqual([{ http: { url: "http://127.0.0.1:8080/health" } }, { chaos: ["run", "spot-interrupt", "--dry"] }]);
    expect(r.steps[0]).toEqual({ experiment: "spot-interrupt", timebox: 600_000, checkpoint: false });
    expect(r.steps[1]!.vars).toEqual({ count: "2", dry: "true" });
  });

  it("reports every problem with file:line:column, the path, what was expected and what was found", () => {
    expect(
      errorsOf(`title: Drill
roles: { observers: [Bo] }
pre-checks:
  - ping: example.com
steps:
  - experiment: spot-interrupt
    timebox: -5m
`),
    ).toEqual([
      "drill.yaml:2:8: roles.facilitator: expected a non-empty string, found nothing",
      "drill.yaml:4:5: pre-checks[0]: expected a map with command, http or chaos, found the keys ping",
      'drill.yaml:7:14: steps[0].timebox: expected a positive duration such as PT10M, 90s or 1h, found "-5m": not a duration',
    ]);
  });

  it("needs at least one step", () => {
    expect(errorsOf("title: Drill\nroles: { facilitator: Ana }\nsteps: []\n")).toEqual(["drill.yaml:3:8: steps: expected at least one step (an experiment to run), found a list []"]);
  });
});

describe("the roles line of a game day's header (chaos gameday, and with --dry)", () => {
  const line = (roles: string) => rolesLine(load(`title: Drill\nroles: ${roles}\nsteps:\n  - experiment: spot-interrupt\n`).runbook.roles);

  it("names the facilitator, then the observers when there are any", () => {
    expect(line("{ facilitator: Ana }")).toBe("facilitator: Ana");
    expect(line("{ facilitator: Ana, observers: [] }")).toBe("facilitator: Ana");
    expect(line("{ facilitator: Ana, observers: [Bo] }")).toBe("facilitator: Ana; observers: Bo");
    expect(line("{ facilitator: Ana, observers: [Bo, Cy] }")).toBe("facilitator: Ana; observers: Bo, Cy");
  });

  it("always has a facilitator: a runbook with observers only, or no roles, is refused before there is a header", () => {
    expect(errorsOf("title: Drill\nroles: { observers: [Bo] }\nsteps:\n  - experiment: spot-interrupt\n")).toEqual(["drill.yaml:2:8: roles.facilitator: expected a non-empty string, found nothing"]);
    expect(errorsOf("title: Drill\nroles: {}\nsteps:\n  - experiment: spot-interrupt\n")).toEqual(["drill.yaml:2:8: roles.facilitator: expected a non-empty string, found nothing"]);
  });
});

describe("chaos: pre-checks, checked with the runbook where the pre-checks will run", () => {
  // The working directory of the game day, with an experiment of its own and one in a project dir.
  const cwd = mkdtempSync(join(tmpdir(), "runbook-cwd-"));
  mkdirSync(join(cwd, "experiments"));
  writeFileSync(join(cwd, "experiments", "mine.yaml"), "title: mine\n");
  writeFileSync(join(cwd, "local.yaml"), "title: local\n");
  mkdirSync(join(cwd, "proj", "experiments"), { recursive: true });
  writeFileSync(join(cwd, "proj", "experiments", "theirs.yaml"), "title: theirs\n");
  const catalogAt = (dir: string): ExperimentCatalog => {
    const names = dir === cwd ? ["mine", "spot-interrupt"] : dir === join(cwd, "proj") ? ["theirs", "spot-interrupt"] : [];
    return { find: (name) => (names.includes(name) ? join(dir, "experiments", `${name}.yaml`) : undefined), names: () => names };
  };
  const ctx: PreCheckContext = { cwd, catalogAt, spaceAt: (dir, name) => (dir === cwd && name === "space-one" ? "space-one.yaml" : undefined) };
  // The runbook lives elsewhere: a pre-check's path is the working directory's, not the runbook's.
  const runbookDir = mkdtempSync(join(tmpdir(), "runbook-dir-"));
  writeFileSync(join(runbookDir, "beside.yaml"), `title: beside\ndescription: quick\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${JSON.stringify(process.execPath)}, arguments: ["-e", "1"] }\n`);

  async function problems(preChecks: string): Promise<string[]> {
    const file = join(runbookDir, "drill.yaml");
    writeFileSync(file, `title: Drill\nroles: { facilitator: Ana }\npre-checks:\n${preChecks}steps:\n  - experiment: ./beside.yaml\n`);
    try {
      await loadRunbookForRun(file, "drill.yaml", { find: () => undefined, names: () => [] }, { preChecks: ctx });
      return [];
    } catch (err) {
      if (err instanceof InvalidInputError) return err.errors.map(formatInputError);
      throw err;
    }
  }

  it("refuses a command chaos does not have, at the command, with a did-you-mean", async () => {
    expect(await problems("  - chaos: [rnu, mine, --dry]\n")).toEqual([
      `drill.yaml:4:13: pre-checks[0].chaos[0]: expected one of chaos's commands (${CHAOS_COMMANDS.join(", ")}) (did you mean \`run\`?), found "rnu": no such command`,
    ]);
  });

  it("refuses an experiment name that run, plan or validate would not find, at the name, and each one validate is given", async () => {
    const found = await problems("  - chaos: [run, nope, --dry]\n  - chaos: [plan, --target, aws, spot-interupt]\n  - chaos: [validate, mine, minee]\n");
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^drill\.yaml:4:18: pre-checks\[0\]\.chaos\[1\]: expected an experiment's name .* as chaos run finds it in the working directory, where chaos gameday runs its pre-checks, found "nope": no experiment of that name$/);
    expect(found[1]).toMatch(/^drill\.yaml:5:34: pre-checks\[1\]\.chaos\[3\]: .*\(did you mean `spot-interrupt`\?\), found "spot-interupt": no experiment of that name$/);
    expect(found[2]).toMatch(/^drill\.yaml:6:29: pre-checks\[2\]\.chaos\[2\]: .*found "minee": no experiment of that name$/);
  });

  it("takes a path relative to the working directory, not the runbook's directory", async () => {
    expect(await problems("  - chaos: [run, local.yaml, --dry]\n")).toEqual([]);
    const found = await problems("  - chaos: [run, beside.yaml, --dry]\n");
    expect(found).toEqual([expect.stringMatching(/^drill\.yaml:4:18: pre-checks\[0\]\.chaos\[1\]: expected a path relative to the working directory.*found "beside\.yaml": no such file$/)]);
  });

  it("accepts what would work: a found name after flags and their values, run --project, explore's spaces, commands without an experiment", async () => {
    expect(
      await problems(
        [
          "  - chaos: [run, --dry, --target, aws, --var, a=b, mine]",
          "  - chaos: [run, --project, proj, theirs, --dry]",
          "  - chaos: [run, --project=proj, theirs]",
          "  - chaos: [run, --fis-template, t.json]",
          "  - chaos: [plan, --json, spot-interrupt]",
          "  - chaos: [explore, space-one]",
          "  - chaos: [lint, --target, aws]",
          "  - chaos: [run, nope, --help]",
          "",
        ].join("\n"),
      ),
    ).toEqual([]);
    // The same name without --project is the working directory's, which has no "theirs".
    expect(await problems("  - chaos: [run, theirs, --dry]\n")).toEqual([expect.stringContaining('found "theirs": no experiment of that name')]);
  });

  it("is reported with the runbook's other problems, all at once", async () => {
    const found = await problems("  - chaos: [run, nope]\n  - ping: example.com\n");
    expect(found).toEqual([expect.stringContaining("pre-checks[0].chaos[1]"), expect.stringContaining("pre-checks[1]: expected a map with command, http or chaos")]);
  });
});
