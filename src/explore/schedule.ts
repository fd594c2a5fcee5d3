/**
 * A fault schedule: which faults start when, on how many targets, how hard. The search generates
 * genomes (arrays of small integers, which fast-check can shrink without any context: fewer
 * faults, lower indices, earlier starts, smaller parameters, the first zone) and decodes them
 * into schedules; a schedule renders as an ordinary experiment document that `chaos run` loads.
 */
import fc from "fast-check";
import { isoSeconds, knobSteps, knobValue } from "./knobs.js";
import { allTemplates, type Space } from "./space.js";

/** One fault of a genome: indices into the space. */
export interface Gene {
  template: number;
  /** Start, in offset steps from the method's start. */
  at: number;
  /** Targets selected: COUNT(count). */
  count: number;
  /** Grid steps above each knob's minimum, by knob position (extra entries are unused). */
  knobs: number[];
  /** Index into the template's zones; drawn only when some template has zones. */
  zone?: number;
}

/** The faults, and the crashes of the log producers (template ignored: the space's crash step). */
export type Genome = [faults: Gene[], crashes: Gene[]];

export interface ScheduledFault {
  /** The template's name. */
  template: string;
  fault: string;
  atMs: number;
  /** COUNT(n), for faults whose target takes `select`. */
  count?: number;
  /** The Availability Zone its targets are picked in, for templates whose zone the search chooses. */
  az?: string;
  with: Record<string, string | number>;
}

export interface Schedule {
  faults: ScheduledFault[];
}

export function genomeArbitrary(space: Space): fc.Arbitrary<Genome> {
  const crashes = space.crashes;
  if (space.templates.length === 0 && !crashes) throw new Error("internal: a space with no fault to place");
  const at = fc.integer({ min: 0, max: Math.floor(space.windowMs / space.offsetStepMs) });
  const count = fc.integer({ min: 1, max: space.maxTargets });
  let faults: fc.Arbitrary<Gene[]> = fc.constant([]);
  if (space.templates.length > 0) {
    const knobCount = Math.max(0, ...space.templates.map((t) => t.knobs.length));
    const maxSteps = Math.max(0, ...space.templates.flatMap((t) => t.knobs.map(knobSteps)));
    const fields = {
      template: fc.integer({ min: 0, max: space.templates.length - 1 }),
      at,
      count,
      knobs: fc.array(fc.integer({ min: 0, max: maxSteps }), { minLength: knobCount, maxLength: knobCount }),
    };
    const zoneCount = Math.max(0, ...space.templates.map((t) => t.zones?.length ?? 0));
    // Without zones a gene is drawn exactly as before zones existed: a seed finds what it found.
    const gene: fc.Arbitrary<Gene> = zoneCount > 0 ? fc.record({ ...fields, zone: fc.integer({ min: 0, max: zoneCount - 1 }) }) : fc.record(fields);
    faults = fc.array(gene, { minLength: crashes ? 0 : 1, maxLength: space.maxFaults });
  }
  // With no crashes the faults are drawn exactly as before crashes existed: a seed finds what it found.
  if (!crashes) return fc.tuple(faults, fc.constant([] as Gene[]));
  // A crash is when and how many tasks; the crash step has no knobs (its signal is SIGKILL).
  const crash: fc.Arbitrary<Gene> = fc.record({ template: fc.constant(0), at, count, knobs: fc.constant([] as number[]) });
  return fc.tuple(faults, fc.array(crash, { maxLength: crashes.max })).filter(([f, c]) => f.length + c.length > 0);
}

/** The schedule a genome stands for, faults in start order (ties in template order). */
export function decode(space: Space, genome: Genome): Schedule {
  const [faultGenes, crashGenes] = genome;
  const genes = [...faultGenes.map((g) => ({ g, index: Math.min(g.template, space.templates.length - 1) })), ...(space.crashes ? crashGenes.map((g) => ({ g, index: space.templates.length })) : [])];
  const templates = allTemplates(space);
  const faults = genes.map(({ g, index }): ScheduledFault & { order: number } => {
    const t = templates[index]!;
    const values: Record<string, string | number> = {};
    t.knobs.forEach((k, i) => (values[k.param] = knobValue(k, g.knobs[i] ?? 0)));
    return {
      template: t.name,
      fault: t.fault,
      atMs: g.at * space.offsetStepMs,
      ...(t.selectable ? { count: Math.min(g.count, space.maxTargets) } : {}),
      ...(t.zones?.length ? { az: t.zones[Math.min(g.zone ?? 0, t.zones.length - 1)]! } : {}),
      with: values,
      order: index,
    };
  });
  faults.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  return { faults: faults.map(({ order: _order, ...f }) => f) };
}

/** A stable key: two genomes that decode alike are one candidate. */
export function scheduleKey(s: Schedule): string {
  return JSON.stringify(s.faults.map((f) => [f.template, f.atMs, f.count ?? null, f.az ?? null, Object.entries(f.with).sort()]));
}

/** "spot-interrupt COUNT(1) in us-east-1a at +0s (durationBeforeInterruption PT2M); ..." */
export function describeSchedule(s: Schedule): string {
  return s.faults
    .map((f) => {
      const params = Object.entries(f.with).map(([k, v]) => `${k} ${v}`);
      return `${f.template}${f.count !== undefined ? ` COUNT(${f.count})` : ""}${f.az !== undefined ? ` in ${f.az}` : ""} at +${f.atMs / 1000}s${params.length ? ` (${params.join(", ")})` : ""}`;
    })
    .join("; ");
}

/**
 * The experiment with its fault steps replaced by the schedule: pauses and faults in start order
 * first, then the method's other steps as written (probes with a mode watch the whole chaos
 * window wherever they sit; a closing pause keeps its place after the last fault).
 */
export function renderExperiment(raw: Record<string, unknown>, space: Space, schedule: Schedule, note: string): Record<string, unknown> {
  const method = Array.isArray(raw.method) ? (raw.method as unknown[]) : [];
  const rest = method.filter((s) => !(typeof s === "object" && s !== null && "fault" in s));
  const steps: unknown[] = [];
  let now = 0;
  schedule.faults.forEach((f, i) => {
    if (f.atMs > now) {
      steps.push({ pause: isoSeconds(f.atMs - now), name: `explore-wait-${i + 1}` });
      now = f.atMs;
    }
    const t = allTemplates(space).find((x) => x.name === f.template)!;
    const target = { ...t.target, ...(f.az !== undefined ? { az: f.az } : {}), ...(f.count !== undefined ? { select: `COUNT(${f.count})` } : {}) };
    steps.push({ fault: f.fault, name: `${t.name}-${i + 1}`, target, with: { ...t.with, ...f.with } });
  });
  const description = [typeof raw.description === "string" ? raw.description.trim() : undefined, note].filter(Boolean).join("\n\n");
  return { ...raw, description, method: [...steps, ...rest] };
}
