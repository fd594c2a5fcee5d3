/** Bad experiment input as a user meets it on the command line: every problem in one round, exit 2. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, scratch } from "../e2e/cli.js";

describe("chaos validate and chaos run on bad input", () => {
  it("validate shows schema errors and probe/fault parameter errors together, by line", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "multi.yaml"),
      [
        "title: many problems at once",
        "configuration: { cluster: prod }",
        "method:",
        "  - fault: spot-interrupt",
        "    target:",
        '      cluster: "${cluster}"',
        "      tags: { chaos: ok }",
        "      select: SOME",
        "  - probe: draining",
        "    with: { within: soon }",
        "  - pause: PT3X",
        "runtime: { rollbacks: sometimes }",
        "",
      ].join("\n"),
    );
    const r = await chaos(["validate", "multi.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines.map((l) => l.replace(/: expected.*/, "").replace(dir, "."))).toEqual([
      "./multi.yaml:8:15: method[0].target.select",
      "./multi.yaml:10:21: method[1].with.within",
      "./multi.yaml:11:12: method[2].pause",
      "./multi.yaml:12:23: runtime.rollbacks",
      "4 errors in 1 file",
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("validate refuses fault and probe steps among the rollbacks", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "rb.yaml"),
      [
        "title: rollbacks that cannot run",
        "method:",
        "  - fault: task-kill",
        "    target: { cluster: prod, service: web, select: COUNT(1) }",
        "rollbacks:",
        "  - fault: drain",
        "    target: { cluster: prod }",
        "  - probe: service-recovery",
        "    with: { cluster: prod, service: web }",
        "",
      ].join("\n"),
    );
    const r = await chaos(["validate", "rb.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain("ok");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("2 errors in 1 file");
    expect(lines[0]).toMatch(/rb\.yaml:6:12: rollbacks\[0\]\.fault: expected a rollback: .*gameday reverts every fault itself.*, found a `fault:` step \("drain"\)$/);
    expect(lines[1]).toMatch(/rb\.yaml:8:12: rollbacks\[1\]\.probe: expected a rollback: .*, found a `probe:` step \("service-recovery"\)$/);
  });

  it("run refuses a --var the experiment does not know, with a suggestion, before anything starts", async () => {
    const dir = scratch();
    const r = await chaos(["run", "spot-interrupt", "--var", "clustr=staging", "--dry", "--seed", "1"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain("dry run");
    expect(r.stderr).toContain("--var: clustr: expected a key that ");
    expect(r.stderr).toContain("spot-interrupt.yaml declares in `configuration` or uses as ${name}: `cluster`, `service`, `spotTags` or `notice` (did you mean `cluster`?)");
    expect(r.stderr).toContain("found `clustr`, which it neither declares nor uses");
    const ok = await chaos(["run", "spot-interrupt", "--var", "cluster=prod", "--dry", "--seed", "1"], { cwd: dir });
    expect(ok.code).toBe(0);
  });
});
