/**
 * What a new user hit (issue 7), as `chaos validate` shows it: every mistake in parameters,
 * tolerances, aliases and names is exit 2 with file:line:col, never an internal error.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, scratch } from "./cli.js";

async function validate(yaml: string) {
  const dir = scratch();
  writeFileSync(join(dir, "exp.yaml"), yaml);
  const r = await chaos(["validate", "exp.yaml"], { cwd: dir });
  // The CLI names the file by its full path; the tests read it relative to the directory.
  return { ...r, stderr: r.stderr.split(`${dir}/`).join("") };
}

describe("chaos validate on a new user's mistakes", () => {
  it("a fault duration that is no ISO 8601 duration is bad input at its line", async () => {
    const r = await chaos(["validate", "kinesis-throttle", "--var", "duration=PT-5S"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/kinesis-throttle\.yaml:\d+:\d+: method\[0\]\.with\.duration: expected .*PT1M and PT12H.*, found "PT-5S"/);
  });

  it("tolerances that do not fit the probe: unknown fields, NaN, unknown operators, out of range; all at once", async () => {
    const r = await validate(
      [
        "title: t",
        "steady-state-hypothesis:",
        "  title: h",
        "  probes:",
        "    - probe: http-slo",
        "      with: { service: web }",
        '      tolerance: { availabilty: ">= 0.999", p95: NaN }',
        "    - probe: http-slo",
        "      with: { service: web }",
        '      tolerance: { p95: "*= 300ms", availability: ">= 199.9%" }',
        "method:",
        "  - fault: task-kill",
        "    target: { cluster: web, select: COUNT(99999999999999999999999) }",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").map((l) => l.replace(/: expected.*/, ""))).toEqual([
      "exp.yaml:7:20: steady-state-hypothesis.probes[0].tolerance.availabilty",
      "exp.yaml:7:50: steady-state-hypothesis.probes[0].tolerance.p95",
      "exp.yaml:10:25: steady-state-hypothesis.probes[1].tolerance.p95",
      "exp.yaml:10:51: steady-state-hypothesis.probes[1].tolerance.availability",
      "exp.yaml:13:37: method[0].target.select",
    ]);
    expect(r.stderr).toContain("(did you mean `availability`?)");
  });

  it("an alias with no anchor is reported where it is written", async () => {
    const r = await validate("title: t\nmethod:\n  - probe: http-slo\n    with: { service: *web }\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^exp\.yaml:4:22: method\[0\]\.with\.service: .*`\*web`/);
  });

  it("a misspelt fault or probe gets a did-you-mean", async () => {
    const r = await validate("title: t\nmethod:\n  - fault: spot-interupt\n  - probe: http-sol\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^exp\.yaml:3:12: method\[0\]\.fault: .*\(did you mean `spot-interrupt`\?\)/m);
    expect(r.stderr).toMatch(/^exp\.yaml:4:12: method\[1\]\.probe: .*\(did you mean `http-slo`\?\)/m);
  });
});
