/**
 * The search space of `chaos explore`: which faults, how many of them, when each starts, how many
 * targets each selects and how hard it hits. By default it comes from the experiment itself: each
 * fault step of its method is a template whose target and parameters the search varies within the
 * ranges the fault's schema declares; a space file may add catalog faults and set the bounds.
 * Crashes of the log producers (SIGKILL of a task's shipper) are a separate count, so that a
 * schedule can hold a few of them beside its faults and shrinking can take them away one by one.
 * Where a fault's target takes an Availability Zone filter, the search also chooses the zone: the
 * run's seed alone picks which resource a COUNT(1) hits, the same for every candidate, so without
 * it two faults of one step could land on the same instance in every schedule tried.
 */
import { loadFault } from "../faults/index.js";
import { knobsOf, type Knob } from "./knobs.js";
import { TARGETS_PER_FAULT_CAP } from "./cap.js";

/** A fault the search may place: a method step as written, less its timing and intensity. */
export interface FaultTemplate {
  /** The step's name, or the fault's when it has none: generated steps are named after it. */
  name: string;
  fault: string;
  /** `target:` as written (variables unresolved); `select` is what the search sets. */
  target: Record<string, unknown>;
  /** `with:` as written; the knobs' keys are what the search sets. */
  with: Record<string, unknown>;
  knobs: Knob[];
  /** Whether the target takes `select` (FIS's selectionMode); false for faults aimed at one resource. */
  selectable: boolean;
  /** The Availability Zones the search places this fault in (its target's `az`), when it chooses one. */
  zones?: string[];
}

export interface SpaceBounds {
  /** At most this many faults in one schedule. */
  maxFaults: number;
  /** Faults start between 0 and this many milliseconds into the method. */
  windowMs: number;
  /** Start times move in steps of this many milliseconds. */
  offsetStepMs: number;
  /** COUNT(1) to COUNT(maxTargets) per fault, never above the blast-radius cap. */
  maxTargets: number;
  /** Durations a fault's schema allows to run for hours are searched up to this. */
  maxDurationMs: number;
}

export interface Space extends SpaceBounds {
  templates: FaultTemplate[];
  /**
   * Crashes of the log producers: a process-kill step (SIGKILL of the tasks' log shipper) that a
   * schedule may place up to `max` times, counted apart from the faults (maxFaults).
   */
  crashes?: { template: FaultTemplate; max: number };
}

/** At most this many shipper crashes in a schedule, unless the space file or --max-crashes says. */
export const DEFAULT_MAX_CRASHES = 2;

/** Where a log shipper runs and what it is called: what a crash step targets. */
export interface ShipperSite {
  cluster: string;
  service: string;
  process: string;
}

/** The step a crash is: FIS aws:ecs:task-kill-process with SIGKILL on one task's shipper at a time. */
export function crashStep(site: ShipperSite): AuthoredFault {
  return { fault: "process-kill", name: `crash-${site.service}-${site.process}`, target: { cluster: site.cluster, service: site.service }, with: { process: site.process, signal: "SIGKILL" } };
}

/** Every template a schedule may name: the faults, then the crash step. */
export function allTemplates(space: Space): FaultTemplate[] {
  return space.crashes ? [...space.templates, space.crashes.template] : space.templates;
}

export const DEFAULT_BOUNDS: SpaceBounds = { maxFaults: 3, windowMs: 180_000, offsetStepMs: 10_000, maxTargets: TARGETS_PER_FAULT_CAP, maxDurationMs: 600_000 };

/** A fault step as authored: `fault`, `name`, `target`, `with`. */
export interface AuthoredFault {
  fault: string;
  name?: string | undefined;
  target?: Record<string, unknown> | undefined;
  with?: Record<string, unknown> | undefined;
}

/** The fault steps of an experiment's method as authored (before variables are substituted). */
export function authoredFaults(raw: unknown): AuthoredFault[] {
  const method = (raw as { method?: unknown })?.method;
  if (!Array.isArray(method)) return [];
  return method.filter((s): s is AuthoredFault => typeof s === "object" && s !== null && typeof (s as { fault?: unknown }).fault === "string");
}

/** Whether a fault's target schema has a field of this name (`select`, `az`). */
function takesField(target: unknown, field: string): boolean {
  let inner = target as { _zod: { def: { innerType?: unknown; in?: unknown; shape?: Record<string, unknown> } } };
  // Through defaults, refinements' pipes (transform) and optionals to the object.
  for (let i = 0; i < 10 && inner?._zod && !inner._zod.def.shape; i++) inner = (inner._zod.def.innerType ?? inner._zod.def.in) as typeof inner;
  return inner?._zod?.def.shape !== undefined && field in inner._zod.def.shape;
}

/**
 * Whether the search chooses the step's zone: its target takes `az` and the author left it open.
 * A target that lists its resources (instanceIds) is not narrowed: FIS takes no filters with ARNs.
 */
function zoneable(target: unknown, step: AuthoredFault): boolean {
  return takesField(target, "az") && step.target?.az === undefined && step.target?.instanceIds === undefined;
}

export async function templateFor(step: AuthoredFault, maxDurationMs: number, zones: readonly string[] = []): Promise<FaultTemplate> {
  const module = await loadFault(step.fault);
  // The experiment was validated before the space is built: an unknown fault here is a gameday bug.
  if (!module) throw new Error(`internal: no fault module ${step.fault}`);
  return {
    name: step.name ?? step.fault,
    fault: step.fault,
    target: { ...(step.target ?? {}) },
    with: { ...(step.with ?? {}) },
    // A value written as a variable (`"${notice}"`) is searched too: the search replaces it.
    knobs: knobsOf(module.params, maxDurationMs),
    selectable: takesField(module.target, "select"),
    ...(zones.length > 0 && zoneable(module.target, step) ? { zones: [...zones] } : {}),
  };
}

/**
 * The space of these fault steps within the bounds. `zones` are the target's Availability Zones
 * (the sandbox stack's): faults whose target takes an `az` are placed in one of them.
 */
export async function buildSpace(faults: AuthoredFault[], bounds: Partial<SpaceBounds> = {}, crashes?: { step: AuthoredFault; max: number }, zones: readonly string[] = []): Promise<Space> {
  const b = { ...DEFAULT_BOUNDS, ...bounds };
  const maxTargets = Math.max(1, Math.min(b.maxTargets, TARGETS_PER_FAULT_CAP));
  const templates = await Promise.all(faults.map((f) => templateFor(f, b.maxDurationMs, zones)));
  const space: Space = { ...b, maxTargets, templates };
  if (crashes && crashes.max > 0) space.crashes = { template: await templateFor(crashes.step, b.maxDurationMs), max: crashes.max };
  return space;
}
