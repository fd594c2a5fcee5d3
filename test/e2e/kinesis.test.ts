import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";

// The 17-hour outage runs in virtual time, but through the real SDK and the real shipper: give
// it room on a busy 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

const journal = (dir: string) => JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
const probe = (dir: string, step: string) => journal(dir).gameday.probes.find((p: { step: string }) => p.step === step);

describe("Kinesis experiments on the embedded sandbox", () => {
  it("kinesis-throttle holds: every record is delivered once, nothing is left in a spool, the web path keeps its SLO", async () => {
    const dir = scratch();
    const r = await chaos(["run", "kinesis-throttle", "--seed", "11", "--log-format", "plain"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = journal(dir);
    expect(j.gameday.faults[0].template.actions.throttle.actionId).toBe("aws:kinesis:stream-provisioned-throughput-exception");
    expect(j.gameday.faults[0].verification.landed).toBe(true);
    const during = probe(dir, "logs-while-throttled");
    expect(during.verdict).toBe("passed");
    const last = during.last.value;
    expect(last.produced).toBeGreaterThan(5_000);
    expect(last.delivered).toBe(last.produced);
    expect(last).toMatchObject({ unaccounted: 0, dropped: 0, duplicates: 0 });
    expect(probe(dir, "stream-health").verdict).toBe("passed");
  });

  it("kinesis-outage: 17 hours of 503s, the shippers fall back within seconds and lose nothing, the spools drain", async () => {
    const dir = scratch();
    const r = await chaos(["run", "kinesis-outage", "--seed", "12", "--log-format", "plain"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shippers fell back \d+(\.\d+)? s after the Kinesis fault began/);
    const j = journal(dir);
    expect(j.gameday.faults.map((f: { template: { actions: { outage: { parameters: { duration: string } } } } }) => f.template.actions.outage.parameters.duration)).toEqual(["PT12H", "PT5H"]);
    const through = probe(dir, "logs-through-the-outage").last.value;
    expect(through.fallbackAfterMs).toBeLessThan(120_000);
    expect(through.drainedAfterMs).not.toBeNull();
    expect(through.drainedAfterMs).toBeLessThan(2 * 3_600_000);
    // About 17 hours of 6 tasks x 2 lines/s: hundreds of thousands of records, all delivered.
    expect(through.produced).toBeGreaterThan(700_000);
    expect(through).toMatchObject({ unaccounted: 0, dropped: 0, pending: 0, memoryViolations: 0 });
    expect(through.maxMemoryRecords).toBeLessThanOrEqual(20_000);
  });

  it("kinesis-outage deviates on a stack whose shippers have no disk spool: records are dropped", async () => {
    const dir = scratch();
    const r = await chaos(
      ["run", "kinesis-outage", "--seed", "13", "--stack", join(REPO, "fixtures", "stacks", "no-spool.yaml"), "--var", "firstOutage=PT30M", "--var", "lastOutage=PT30M", "--log-format", "plain"],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const through = probe(dir, "logs-through-the-outage");
    expect(through.verdict).toBe("failed");
    expect(through.last.value.dropped).toBeGreaterThan(1_000);
  });
});
