/**
 * From the validated, authored shape to the model the engine runs: every step normalised into one
 * of four kinds with its name and document path, Chaos Toolkit defaults filled in (GET, verify
 * TLS, no retries), and refs resolved to copies of the steps they name.
 */
import type { ActivityStep, Check, DocPath, Experiment, HttpProvider, Pauses, ProcessProvider, Step } from "./model.js";
import { formatPath } from "./model.js";
import { DEFAULT_RUNTIME, type AuthoredCheck, type AuthoredExperiment, type AuthoredStep } from "./schema.js";
import type { Naming, Section } from "./step-names.js";
import { FIS_TEMPLATE_FAULT } from "../faults/fis-template-name.js";

type AuthoredActivity = Extract<AuthoredStep | AuthoredCheck, { provider: unknown }>;
type AuthoredProvider = AuthoredActivity["provider"];

function pausesOf(p: { before?: number | undefined; after?: number | undefined } | undefined): { pauses?: Pauses } {
  if (!p || (p.before === undefined && p.after === undefined)) return {};
  return { pauses: { ...(p.before !== undefined ? { before: p.before } : {}), ...(p.after !== undefined ? { after: p.after } : {}) } };
}

function providerOf(p: AuthoredProvider): HttpProvider | ProcessProvider {
  if (p.type === "http") {
    const timeout = p.timeout === undefined ? undefined : Array.isArray(p.timeout) ? { connect: p.timeout[0], read: p.timeout[1] } : { connect: p.timeout, read: p.timeout };
    return {
      type: "http",
      url: p.url,
      method: p.method ?? "GET",
      headers: p.headers ?? {},
      ...(p.arguments !== undefined ? { arguments: p.arguments } : {}),
      ...(timeout ? { timeout } : {}),
      verifyTls: p.verify_tls ?? true,
      maxRetries: p.max_retries ?? 0,
    };
  }
  return {
    type: "process",
    path: p.path,
    arguments: p.arguments ?? [],
    ...(p.timeout !== undefined ? { timeout: p.timeout } : {}),
    ...(p.env !== undefined ? { env: p.env } : {}),
  };
}

class StepBuilder {
  private readonly built = new Map<string, Step>();

  constructor(private readonly naming: Naming) {}

  /** Whether the step at `at` has been built (a ref can only copy a step that was). */
  has(at: DocPath): boolean {
    return this.built.has(formatPath(at));
  }

  step(s: AuthoredStep | AuthoredCheck, at: DocPath): Step {
    const key = formatPath(at);
    const name = this.naming.names.get(key) ?? key;
    let step: Step;
    // What a fault step and a fis-template step (which runs as a fault) share.
    const faultBase = (f: { background?: boolean | undefined; pauses?: Parameters<typeof pausesOf>[0]; timeout?: number | undefined }) => ({
      kind: "fault" as const,
      name,
      at,
      background: f.background ?? false,
      ...pausesOf(f.pauses),
      ...(f.timeout !== undefined ? { timeout: f.timeout } : {}),
    });
    if ("ref" in s) {
      const origin = this.naming.refs.get(key) ?? [];
      const target = this.built.get(formatPath(origin));
      // nameSteps has checked every ref; a missing target here is a bug, not bad input.
      if (!target) throw new Error(`internal: ref at ${key} was not resolved`);
      step = { ...structuredClone(target), name, at, copyOf: origin };
      // A method probe's mode means nothing where the hypothesis strategy or the stop-condition poll decides.
      if (step.kind === "probe" && (at[0] === "steady-state-hypothesis" || at[0] === "stop-conditions")) delete step.mode;
    } else if ("fault" in s) {
      step = { ...faultBase(s), fault: s.fault, target: s.target ?? {}, with: s.with ?? {} };
    } else if ("fis-template" in s) {
      // Runs as a fault whose FIS fragment is the team's template (faults/fis-template.ts).
      const { path, vars } = s["fis-template"];
      step = { ...faultBase(s), fault: FIS_TEMPLATE_FAULT, target: {}, with: { path, ...(vars ? { vars } : {}) } };
    } else if ("pause" in s) {
      step = { kind: "pause", name, at, background: false, duration: s.pause };
    } else if ("probe" in s) {
      step = {
        kind: "probe",
        name,
        at,
        background: s.background ?? false,
        ...pausesOf(s.pauses),
        probe: s.probe,
        with: s.with ?? {},
        ...(s.tolerance !== undefined ? { tolerance: s.tolerance } : {}),
        ...(s.mode !== undefined ? { mode: s.mode } : {}),
        ...(s.interval !== undefined ? { interval: s.interval } : {}),
        ...(s.timeout !== undefined ? { probeTimeout: s.timeout } : {}),
        attempts: s.attempts ?? 1,
        ...(s.initialDelay !== undefined ? { initialDelay: s.initialDelay } : {}),
        stopOnFailure: s.stopOnFailure ?? false,
      };
    } else {
      const activity: ActivityStep = {
        kind: "activity",
        type: s.type,
        name: s.name,
        at,
        background: s.background ?? false,
        ...pausesOf(s.pauses),
        ...(s.timeout !== undefined ? { timeout: s.timeout } : {}),
        provider: providerOf(s.provider),
        ...(s.tolerance !== undefined ? { tolerance: s.tolerance } : {}),
      };
      step = activity;
    }
    this.built.set(key, step);
    return step;
  }
}

export interface Resolved {
  configuration: Record<string, unknown>;
  secrets: Record<string, Record<string, unknown>>;
}

export function buildExperiment(a: AuthoredExperiment, naming: Naming, resolved: Resolved): Experiment {
  const b = new StepBuilder(naming);
  const list = <T extends AuthoredStep | AuthoredCheck>(steps: readonly T[] | undefined, base: DocPath) => (steps ?? []).map((s, i) => b.step(s, [...base, i]));
  const ssh = a["steady-state-hypothesis"];
  // Order matters: refs copy steps built before them, and may only point backwards.
  const hypothesis = ssh ? { title: ssh.title, probes: list(ssh.probes, ["steady-state-hypothesis", "probes"]) as Check[] } : undefined;
  const method = list(a.method, ["method"]);
  const rollbacks = list(a.rollbacks, ["rollbacks"]);
  const stopConditions = list(a["stop-conditions"], ["stop-conditions"]) as Check[];
  return {
    ...(a.version !== undefined ? { version: a.version } : {}),
    title: a.title,
    description: a.description ?? "",
    tags: a.tags ?? [],
    ...(a.contributions !== undefined ? { contributions: a.contributions } : {}),
    configuration: resolved.configuration,
    secrets: resolved.secrets,
    ...(hypothesis ? { steadyStateHypothesis: hypothesis } : {}),
    method,
    rollbacks,
    stopConditions,
    runtime: a.runtime ?? DEFAULT_RUNTIME,
    ...(a.extensions !== undefined ? { extensions: a.extensions } : {}),
  };
}

export interface ValidStep {
  section: Section;
  at: DocPath;
  step: AuthoredStep | AuthoredCheck;
}

/**
 * The steps that passed validation on their own, built as in a whole experiment, in document
 * order. A ref whose target was left out (or never resolved) is left out too.
 */
export function buildValidSteps(steps: readonly ValidStep[], naming: Naming): { section: Section; step: Step }[] {
  const b = new StepBuilder(naming);
  const out: { section: Section; step: Step }[] = [];
  for (const { section, at, step } of steps) {
    if ("ref" in step) {
      const target = naming.refs.get(formatPath(at));
      if (!target || !b.has(target)) continue;
    }
    out.push({ section, step: b.step(step, at) });
  }
  return out;
}
