import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { awsFailure, describeFailure, failureSequence, partialFailure, timeout } from "../../src/testing/index.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

describe("gameday/testing arbitraries", () => {
  it("generate only the kinds asked for, every kind when none is named, and partial failures that fail at least one record", () => {
    const kinds = new Set(fc.sample(awsFailure(), { seed: 5, numRuns: 300 }).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(["connection-reset", "expired-iterator", "partial-failure", "server-error", "throttling", "timeout"]);
    for (const seq of fc.sample(failureSequence({ kinds: ["throttling", "timeout"], maxLength: 5 }), { seed: 5, numRuns: 100 })) {
      expect(seq.length).toBeLessThanOrEqual(5);
      for (const f of seq) expect([null, "throttling", "timeout"]).toContain(f?.kind ?? null);
    }
    for (const p of fc.sample(partialFailure(), { seed: 5, numRuns: 100 })) expect(p.failed).toContain(true);
    // Options a JavaScript caller can get wrong are named, not fast-check's "maximum value should be...".
    expect(() => awsFailure({ kinds: ["throttle" as never] })).toThrow(/awsFailure: unknown kind\(s\) "throttle"; the kinds are throttling, server-error, timeout/);
    expect(() => failureSequence({ maxLength: -1 })).toThrow("failureSequence: maxLength must be a whole number of 0 or more, found -1");
    expect(() => timeout({ maxMs: 0 })).toThrow("timeout: maxMs must be a whole number of 1 or more, found 0");
    expect(() => partialFailure({ maxPattern: 0 })).toThrow("partialFailure: maxPattern must be a whole number of 1 or more, found 0");
    expect(() => failureSequence({ failureRatio: 0 })).toThrow(/failureRatio must be in \(0, 1\]/);
    expect(describeFailure({ kind: "partial-failure", failed: [false, true], code: "InternalFailure" })).toBe("partial failure .x (x failed, . through; InternalFailure)");
  });

  it("shrink a failing sequence to the one failure that matters", () => {
    const result = fc.check(
      fc.property(failureSequence({ maxLength: 8 }), (seq) => !seq.some((f) => f?.kind === "server-error" && f.status === 503)),
      { seed: 9, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    expect(result.counterexample![0]).toEqual([{ kind: "server-error", status: 503, code: "ServiceUnavailable" }]);
  });

  it("are exported as gameday/testing, with type declarations", () => {
    expect(existsSync(`${REPO}dist/src/testing/index.d.ts`)).toBe(true);
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", "const m = await import('gameday/testing'); console.log(['awsFaults', 'failureSequence', 'awsFailure', 'throttling'].map((k) => typeof m[k]).join(' '))"], { cwd: REPO, encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe("function function function function");
  });

  it("name fast-check and msw as optional peer dependencies, in ranges that admit the versions this suite tests with", () => {
    // The user's own copies must be the ones gameday/testing uses: arbitraries from a second copy of
    // fast-check, or handlers for a second msw, do not mix with the user's. Optional, so that
    // installing the CLI alone pulls in neither.
    const pkg = JSON.parse(readFileSync(`${REPO}package.json`, "utf8")) as { peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>; dependencies: Record<string, string> };
    for (const name of ["fast-check", "msw"]) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.peerDependenciesMeta?.[name]?.optional).toBe(true);
      const installed = (JSON.parse(readFileSync(`${REPO}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
      expect(pkg.peerDependencies?.[name], name).toBe(`^${installed.split(".")[0]}.0.0`);
    }
  });
});
