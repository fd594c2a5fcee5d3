import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stringify } from "yaml";
import { loadExperiment } from "../../src/experiment/index.js";
import { authoredFaults, buildSpace } from "../../src/explore/space.js";
import { decode, describeSchedule, genomeArbitrary, renderExperiment, scheduleKey } from "../../src/explore/schedule.js";
import { TARGETS_PER_FAULT_CAP } from "../../src/explore/cap.js";

const catalog = (name: string) => new URL(`../../experiments/${name}.yaml`, import.meta.url).pathname;

async function spotSpace() {
  const loaded = await loadExperiment(catalog("spot-interrupt"), { vars: {}, varFiles: [] });
  const space = await buildSpace(authoredFaults(loaded.raw), { maxDurationMs: 300_000 });
  return { raw: loaded.raw as Record<string, unknown>, space };
}

describe("schedules", () => {
  it("come from the experiment's own fault steps, within the blast-radius cap", async () => {
    const { space } = await spotSpace();
    expect(space.templates.map((t) => [t.name, t.fault, t.selectable, t.knobs.map((k) => k.param)])).toEqual([["interrupt-one-spot-instance", "spot-interrupt", true, ["durationBeforeInterruption"]]]);
    const bigger = await buildSpace(authoredFaults((await spotSpace()).raw), { maxTargets: 50 });
    expect(bigger.maxTargets).toBe(TARGETS_PER_FAULT_CAP);
    for (const g of fc.sample(genomeArbitrary(bigger), { seed: 3, numRuns: 50 })) {
      for (const f of decode(bigger, g).faults) expect(f.count).toBeLessThanOrEqual(TARGETS_PER_FAULT_CAP);
    }
  });

  it("decode in start order, and two genomes that mean the same schedule share a key", async () => {
    const { space } = await spotSpace();
    const s = decode(space, [
      [
        { template: 0, at: 4, count: 1, knobs: [2] },
        { template: 0, at: 0, count: 1, knobs: [0] },
      ],
      [],
    ]);
    expect(s.faults.map((f) => [f.atMs, f.with.durationBeforeInterruption])).toEqual([
      [0, "PT2M"],
      [40_000, "PT3M"],
    ]);
    // Knob steps beyond the range clamp to its maximum: the same schedule.
    const same = decode(space, [
      [
        { template: 0, at: 0, count: 1, knobs: [0] },
        { template: 0, at: 4, count: 1, knobs: [2] },
      ],
      [],
    ]);
    expect(scheduleKey(same)).toBe(scheduleKey(s));
    expect(describeSchedule(s)).toBe("interrupt-one-spot-instance COUNT(1) at +0s (durationBeforeInterruption PT2M); interrupt-one-spot-instance COUNT(1) at +40s (durationBeforeInterruption PT3M)");
  });

  it("render as an experiment the loader accepts: faults and pauses in start order, then the method's other steps", async () => {
    const { raw, space } = await spotSpace();
    const schedule = decode(space, [
      [
        { template: 0, at: 0, count: 1, knobs: [0] },
        { template: 0, at: 4, count: 1, knobs: [2] },
      ],
      [],
    ]);
    const doc = renderExperiment(raw, space, schedule, "Found by a test.");
    const file = join(mkdtempSync(join(tmpdir(), "explore-")), "replay.yaml");
    writeFileSync(file, stringify(doc));
    const loaded = await loadExperiment(file, { vars: {}, varFiles: [] });
    const steps = loaded.experiment.method.map((s) => (s.kind === "fault" ? `${s.name} ${s.target.select} ${s.with.durationBeforeInterruption}` : s.kind === "pause" ? `pause ${s.duration}` : `probe ${s.name}`));
    expect(steps).toEqual([
      "interrupt-one-spot-instance-1 COUNT(1) PT2M",
      "pause 40000",
      "interrupt-one-spot-instance-2 COUNT(1) PT3M",
      "probe drained-in-time",
      "probe web-keeps-capacity",
      "probe web-slo-during",
      "pause 180000",
    ]);
    // Variables stay variables: the replay reads the experiment's configuration as the original does.
    expect(readFileSync(file, "utf8")).toContain("cluster: ${cluster}");
    expect(loaded.experiment.description).toContain("Found by a test.");
  });
});

describe("schedules in Availability Zones", () => {
  const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

  it("place a fault whose target takes an az in one of the stack's zones, unless its author named one or listed its instances", async () => {
    const { raw } = await spotSpace();
    const [step] = authoredFaults(raw);
    const open = await buildSpace([step!], {}, undefined, zones);
    expect(open.templates[0]!.zones).toEqual(zones);
    const named = await buildSpace([{ ...step!, target: { ...step!.target, az: "us-east-1c" } }], {}, undefined, zones);
    expect(named.templates[0]!.zones).toBeUndefined();
    const listed = await buildSpace([{ fault: "spot-interrupt", target: { cluster: "prod", instanceIds: ["i-0abc1234"] } }], {}, undefined, zones);
    expect(listed.templates[0]!.zones).toBeUndefined();
    // task-kill's target has no az: nothing to choose.
    const tasks = await buildSpace([{ fault: "task-kill", target: { cluster: "prod", service: "web" } }], {}, undefined, zones);
    expect(tasks.templates[0]!.zones).toBeUndefined();
    for (const g of fc.sample(genomeArbitrary(tasks), { seed: 3, numRuns: 20 })) expect(g[0].every((gene) => gene.zone === undefined)).toBe(true);
  });

  it("draw every zone, decode and describe it, tell schedules in different zones apart, and render it as the target's az", async () => {
    const { raw } = await spotSpace();
    const space = await buildSpace(authoredFaults(raw), { maxDurationMs: 300_000 }, undefined, zones);
    const drawn = new Set(fc.sample(genomeArbitrary(space), { seed: 9, numRuns: 100 }).flatMap((g) => decode(space, g).faults.map((f) => f.az)));
    expect([...drawn].sort()).toEqual(zones);
    const gene = (zone: number, at: number) => ({ template: 0, at, count: 1, knobs: [0], zone });
    const s = decode(space, [[gene(1, 0), gene(0, 0)], []]);
    expect(describeSchedule(s)).toBe("interrupt-one-spot-instance COUNT(1) in us-east-1b at +0s (durationBeforeInterruption PT2M); interrupt-one-spot-instance COUNT(1) in us-east-1a at +0s (durationBeforeInterruption PT2M)");
    expect(scheduleKey(decode(space, [[gene(1, 0), gene(1, 0)], []]))).not.toBe(scheduleKey(s));
    const file = join(mkdtempSync(join(tmpdir(), "explore-")), "replay.yaml");
    writeFileSync(file, stringify(renderExperiment(raw, space, s, "Found by a test.")));
    const loaded = await loadExperiment(file, { vars: {}, varFiles: [] });
    const faults = loaded.experiment.method.flatMap((x) => (x.kind === "fault" ? [`${x.name} ${x.target.az} ${x.target.select}`] : []));
    expect(faults).toEqual(["interrupt-one-spot-instance-1 us-east-1b COUNT(1)", "interrupt-one-spot-instance-2 us-east-1a COUNT(1)"]);
  });
});
