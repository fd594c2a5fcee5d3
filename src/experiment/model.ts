/**
 * The experiment as the engine sees it: loaded, variables substituted, validated, with every step
 * normalised into one of four kinds. Chaos Toolkit activities (`type: action|probe` with an `http`
 * or `process` provider) and gameday's own steps (`fault:`, `probe:`, `pause:`) live side by side.
 *
 * Every node keeps `at`, its path in the source document, so that later stages (planning, probe
 * parameter checks) can report `file:line:col` through the loaded document's position map.
 */

/** A path into the source document, e.g. ["method", 2, "with", "within"]. */
export type DocPath = readonly (string | number)[];

/** Milliseconds. Authored as ISO 8601 durations ("PT2M") or, in Chaos Toolkit fields, seconds. */
export type Millis = number;

export type ProbeMode = "sot" | "eot" | "edge" | "continuous" | "on-chaos";

export type HypothesisStrategy =
  | "default"
  | "before-method-only"
  | "after-method-only"
  | "during-method-only"
  | "continuously";

export type RollbackStrategy = "always" | "deviated" | "never";

export interface Pauses {
  before?: Millis;
  after?: Millis;
}

/** Fields every step may carry. */
export interface StepBase {
  /** Unique within the experiment; generated ("fault:spot-interrupt#1") when not authored. */
  name: string;
  at: DocPath;
  pauses?: Pauses;
  /** Runs concurrently with the steps after it; the method waits for it at its end. */
  background: boolean;
  /** Enforced: the step is abandoned (and fails) when it runs longer. */
  timeout?: Millis;
  /** Set on a `ref:` copy: where the step it copies is, so its problems are reported there, once. */
  copyOf?: DocPath;
}

export interface HttpProvider {
  type: "http";
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Query string for GET, body otherwise (JSON when Content-Type says so). */
  arguments?: unknown;
  /** Connect and read timeouts. */
  timeout?: { connect: Millis; read: Millis };
  verifyTls: boolean;
  maxRetries: number;
}

export interface ProcessProvider {
  type: "process";
  path: string;
  /** A list runs without a shell; a string runs through /bin/sh -c. */
  arguments: string[] | string;
  timeout?: Millis;
  env?: Record<string, string>;
}

export type Provider = HttpProvider | ProcessProvider;

/** A Chaos Toolkit activity. */
export interface ActivityStep extends StepBase {
  kind: "activity";
  type: "action" | "probe";
  provider: Provider;
  tolerance?: Tolerance;
}

/** `fault: <name>`: compiled to FIS actions and targets. */
export interface FaultStep extends StepBase {
  kind: "fault";
  fault: string;
  /** Which resources: cluster, service, tags, az, select (ALL | COUNT(n) | PERCENT(n)), ... */
  target: Record<string, unknown>;
  with: Record<string, unknown>;
}

export interface ProbeSchedule {
  mode?: ProbeMode;
  /** Time between polls for continuous and on-chaos modes, and between attempts. */
  interval?: Millis;
  /** One attempt longer than this fails. */
  probeTimeout?: Millis;
  /** Attempts before a reading counts as failed (Litmus `attempt`). */
  attempts: number;
  initialDelay?: Millis;
  /** A failed reading aborts the method at once (rollbacks still run). */
  stopOnFailure: boolean;
}

/** `probe: <name>`: a probe module with parameters. */
export interface ProbeStep extends StepBase, ProbeSchedule {
  kind: "probe";
  probe: string;
  with: Record<string, unknown>;
  tolerance?: Tolerance;
}

/** `pause: PT3M`. */
export interface PauseStep extends StepBase {
  kind: "pause";
  duration: Millis;
}

export type Step = ActivityStep | FaultStep | ProbeStep | PauseStep;

/** A step that produces a value a tolerance can judge. */
export type Check = ActivityStep | ProbeStep;

/**
 * A tolerance, parsed. Chaos Toolkit's forms plus comparisons as people write them
 * (`">= 0.999"`, `"<= 300ms"`, `"between 1 and 5"`) and objects that judge fields of a value.
 */
export type Tolerance =
  | { kind: "equals"; value: boolean | number | string | null }
  /** Chaos Toolkit list: membership, or an inclusive range when it has two numbers. */
  | { kind: "list"; values: readonly unknown[] }
  | { kind: "range"; min: number; max: number; target?: string }
  | { kind: "regex"; pattern: string; target?: string }
  | { kind: "jsonpath"; path: string; expect?: unknown; count?: number; target?: string }
  | { kind: "compare"; op: "<" | "<=" | ">" | ">=" | "==" | "!="; value: number; unit?: string; source: string }
  | { kind: "between"; min: number; max: number; unit?: string; source: string }
  /** `{ availability: ">= 0.999", p95: "<= 300ms" }`: every field of the value must pass. */
  | { kind: "fields"; fields: Readonly<Record<string, Tolerance>> };

export interface Runtime {
  hypothesis: HypothesisStrategy;
  /** Poll interval for hypothesis probes during the method and for stop conditions. */
  interval: Millis;
  rollbacks: RollbackStrategy;
  /** Abort the method on the first failed reading during it (Chaos Toolkit --fail-fast). */
  failFast: boolean;
}

export interface SteadyStateHypothesis {
  title: string;
  probes: Check[];
}

export interface Experiment {
  version?: string;
  title: string;
  description: string;
  tags: string[];
  contributions?: Record<string, string>;
  /** After substitution: plain values. */
  configuration: Record<string, unknown>;
  /** After substitution; every leaf is redacted from journals and logs. */
  secrets: Record<string, Record<string, unknown>>;
  steadyStateHypothesis?: SteadyStateHypothesis;
  method: Step[];
  rollbacks: Step[];
  stopConditions: Check[];
  runtime: Runtime;
  extensions?: unknown[];
}

/** A 1-based position in a source file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One problem with an input file, located. */
export interface InputError {
  file: string;
  position?: SourcePosition;
  /** Where in the document, e.g. "method[2].with.within". */
  path: string;
  expected: string;
  found: string;
}

/** An experiment together with where it came from, so later checks can still point at lines. */
export interface LoadedExperiment {
  file: string;
  experiment: Experiment;
  /** The experiment as authored (parsed, before substitution), for the journal. */
  raw: unknown;
  /** Maps a document path to its position in the file, if the path exists there. */
  positionOf(path: DocPath): SourcePosition | undefined;
  /** Where the key of the entry at `path` is written, for "unknown key" errors; positionOf when absent. */
  keyPositionOf?(path: DocPath): SourcePosition | undefined;
  /** Where a substituted value came from (see Located.originOf). */
  originOf?(path: DocPath): string | undefined;
  /** Every string that came from `secrets`, for redaction. */
  secretValues: string[];
}

export function formatPath(path: DocPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || "(document)";
}

export function formatInputError(e: InputError): string {
  const where = e.position ? `${e.file}:${e.position.line}:${e.position.column}` : e.file;
  return `${where}: ${e.path}: expected ${e.expected}, found ${e.found}`;
}

/** Thrown when input is invalid; carries every error found, not only the first. */
export class InvalidInputError extends Error {
  /**
   * What the loader could still build of an invalid experiment: only the steps that passed
   * validation on their own, so that planning them can add its problems to this report.
   */
  declare readonly partial?: LoadedExperiment;

  constructor(
    readonly errors: InputError[],
    partial?: LoadedExperiment,
  ) {
    super(errors.map(formatInputError).join("\n"));
    this.name = "InvalidInputError";
    // Not enumerable: it holds resolved secrets, and an error may be logged or serialised whole.
    if (partial) Object.defineProperty(this, "partial", { value: partial, enumerable: false });
  }
}
