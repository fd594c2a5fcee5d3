/**
 * The journal records the sandbox's stack as the user named it ("default" when they named none)
 * and its absolute path, not a path relative to the directory the run started in (which reads as
 * ../../<somewhere> from anywhere else); reports show "default" for the default stack, and any
 * other as a path that opens from the directory the report is made in.
 */
import { vi, describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";
import type { JournalDoc } from "../../src/engine/journal.js";

vi.setConfig({ testTimeout: 120_000 });

function quickExperiment(dir: string): string {
  const file = join(dir, "quick.yaml");
  writeFileSync(file, `title: quick\ndescription: quick\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${JSON.stringify(process.execPath)}, arguments: ["-e", "1"] }\n`);
  return file;
}

function journalOf(dir: string): JournalDoc {
  return JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")) as JournalDoc;
}

describe("the stack in the journal", () => {
  it("is 'default' with the default stack's absolute path when no --stack is given", async () => {
    const dir = scratch();
    quickExperiment(dir);
    const r = await chaos(["run", "quick.yaml", "--report", "md"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const target = journalOf(dir).gameday.target;
    expect(target.stack).toBe("default");
    expect(realpathSync(target.stackPath!)).toBe(realpathSync(join(REPO, "fixtures", "stacks", "default.yaml")));
    const report = /^report: (.+)$/m.exec(r.stdout)![1]!;
    expect(readFileSync(join(dir, report), "utf8")).toMatch(/target sandbox, [^,]+, stack default,/);
  });

  it("is the --stack argument as typed, with its absolute path", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "stacks"));
    // dereg-300.yaml extends default.yaml beside it.
    copyFileSync(join(REPO, "fixtures", "stacks", "default.yaml"), join(dir, "stacks", "default.yaml"));
    copyFileSync(join(REPO, "fixtures", "stacks", "dereg-300.yaml"), join(dir, "stacks", "slow.yaml"));
    mkdirSync(join(dir, "work"));
    quickExperiment(join(dir, "work"));
    const r = await chaos(["run", "quick.yaml", "--stack", "../stacks/slow.yaml"], { cwd: join(dir, "work") });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const journal = journalOf(join(dir, "work"));
    expect(journal.gameday.target.stack).toBe("../stacks/slow.yaml");
    expect(journal.gameday.target.stackPath).toBe(join(dir, "stacks", "slow.yaml"));
    expect(journal.gameday.replay).toContain("--stack ../stacks/slow.yaml");
  });

  it("shows in reports as a path from the directory the report is made in, not relative to the experiment file", async () => {
    const dir = realpathSync(scratch());
    mkdirSync(join(dir, "stacks"));
    copyFileSync(join(REPO, "fixtures", "stacks", "default.yaml"), join(dir, "stacks", "own.yaml"));
    mkdirSync(join(dir, "exp"));
    const experiment = quickExperiment(join(dir, "exp"));
    writeFileSync(experiment, `${readFileSync(experiment, "utf8")}extensions:\n  - name: gameday\n    stack: ../stacks/own.yaml\n`);
    const r = await chaos(["run", "exp/quick.yaml", "--report", "md,junit,html"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The journal keeps the name as written (relative to the experiment file) and the absolute path.
    const journal = journalOf(dir);
    expect(journal.gameday.target.stack).toBe("../stacks/own.yaml");
    expect(journal.gameday.target.stackPath).toBe(join(dir, "stacks", "own.yaml"));
    const reports = [...r.stdout.matchAll(/^report: (.+)$/gm)].map((m) => readFileSync(join(dir, m[1]!), "utf8"));
    expect(reports).toHaveLength(3);
    for (const report of reports) {
      expect(report).toContain("stack stacks/own.yaml");
      expect(report).not.toContain("../stacks/own.yaml");
    }
    // chaos report elsewhere: outside the directory the stack is in, the absolute path.
    const elsewhere = await chaos(["report", join(dir, "journal.json"), "--format", "md", "--output", "r.md"], { cwd: join(dir, "exp") });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(readFileSync(join(dir, "exp", "r.md"), "utf8")).toContain(`stack ${join(dir, "stacks", "own.yaml")},`);
  });
});
