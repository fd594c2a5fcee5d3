import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRunbook, rolesLine } from "../../src/schedule/gameday-runbook.js";
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
