/**
 * The fault contract. A fault compiles to FIS actions and targets (the same JSON AWS FIS accepts),
 * says what beyond the FIS experiment must be undone, and checks afterwards that it really landed.
 * The FIS runner (fis-runner.ts) does the rest: template, start, resolved targets, ledger.
 */
import type { z } from "zod";
import type { InjectedFault, ResolvedTarget, RunServices, RunView } from "../engine/ports.js";
import type { UndoOp } from "../engine/ledger.js";
import type { Permission } from "../iam/permission.js";

export interface FisTargetJson {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  filters?: { path: string; values: string[] }[];
  parameters?: Record<string, string>;
  selectionMode: string;
}

export interface FisActionJson {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}

/** A fault's contribution to an experiment template. */
export interface FisFragment {
  description: string;
  targets: Record<string, FisTargetJson>;
  actions: Record<string, FisActionJson>;
  /**
   * A team's own template (fis-template.ts) brings the rest of its members; gameday's faults
   * leave them out and get gameday's role, stop conditions and options (fis-runner.ts templateFor).
   */
  own?: {
    roleArn: string;
    stopConditions: { source: string; value?: string }[];
    tags: Record<string, string>;
    experimentOptions: Record<string, unknown>;
    logConfiguration?: Record<string, unknown>;
    experimentReportConfiguration?: Record<string, unknown>;
  };
}

export interface CompileInput<P, T> {
  params: P;
  target: T;
  configuration: Readonly<Record<string, unknown>>;
  /** Where the target lives, for ARNs FIS needs (clusters, roles). */
  region: string;
  accountId: string;
  /**
   * The resources gameday resolved and picked itself (see FaultModule.resolve): the fragment then
   * names exactly these ARNs with selectionMode ALL, so FIS cannot pick anything else.
   */
  chosen?: readonly ResolvedResource[];
  /** The experiment file's directory, against which paths in a step resolve. */
  baseDir?: string;
  /** What the fault's resolve learned that its template needs (Resolution.compileWith), when it ran. */
  resolved?: Readonly<Record<string, unknown>>;
}

/** One resource a fault's target resolved to. */
export interface ResolvedResource {
  arn: string;
  /** Short id an operator recognises: i-0abc…, the task id, the stream name. */
  id: string;
}

export type RunServicesAws = RunServices["aws"];

export interface ResolveInput<P, T> {
  params: P;
  target: T;
  aws: RunServices["aws"];
  region: string;
  accountId: string;
  signal?: AbortSignal;
}

/** What a fault's target resolved to before anything starts, read-only, through AWS APIs. */
export interface Resolution {
  /** What was looked for, in words: "running spot instances of cluster prod tagged chaos=ok". */
  lookedFor: string;
  /** Everything that matched, in the order the API listed it. */
  candidates: ResolvedResource[];
  /** How many of the candidates the step would hit by its own selection (select, percentage). */
  hits: number;
  /**
   * true: gameday picks `hits` of the candidates (with the run's Random) and compile names them as
   * resourceArns; false: FIS acts on the set as a whole (a drain's percentage of a cluster).
   */
  picks: boolean;
  /** FIS's limit on resourceArns for the target (aws-semantics.md: 5 for spot instances and tasks). */
  maxArns?: number;
  /**
   * The step ends what it hits (an instance reclaimed, a task stopped): another step of the run that
   * picked the same resource would find it gone and its FIS experiment would fail, so the preflight
   * gives later steps other resources while there are enough.
   */
  consumes?: boolean;
  /**
   * Facts the template needs that only the target knows (a file system's mount-target IPs, whether
   * the target's FIS offers an action): compile gets them as `resolved`.
   */
  compileWith?: Record<string, unknown>;
  /**
   * Why no FIS action on this target can carry the step out, with the closest real alternative:
   * `chaos plan` shows it, `chaos run` stops before anything changes (exit 4).
   */
  unavailable?: string;
  /** Settings of the step that gameday.yaml must allow by name (guardrails.allow). */
  needsAllow?: { key: "scopeAll" | "wholeClusterDrain"; name: string; why: string }[];
}

export interface FaultContext<P, T> extends RunServices {
  params: P;
  target: T;
  run: RunView;
  fault: InjectedFault;
  signal: AbortSignal;
}

export interface PreparedUndo {
  description: string;
  undo: UndoOp;
}

export interface StartEffect {
  /** Replaces every undo prepareUndo returned (an empty list: nothing to undo); absent keeps them. */
  undos?: PreparedUndo[];
  /** Why the narrower undo supersedes the prepared one, for the ledger. */
  note?: string;
  effect: Record<string, unknown>;
}

export interface DirectInjection {
  /** The resources changed, as FIS would list its resolved targets. */
  targets: ResolvedTarget[];
  /** What the call did, for verify (see startEffect). */
  effect: Record<string, unknown>;
}

export interface Verification {
  landed: boolean;
  detail: string;
  evidence?: Record<string, unknown>;
}

export interface FaultModule<P = any, T = any> {
  name: string;
  description: string;
  /** `with:` of the step. */
  params: z.ZodType<P, any>;
  /** `target:` of the step. */
  target: z.ZodType<T, any>;
  compile(input: CompileInput<P, T>): FisFragment;
  /**
   * Resolves the target to the exact resources of the named cluster, service or stream, with
   * read-only calls, before anything starts. The guardrails cap `hits` and pick from `candidates`.
   */
  resolve?(input: ResolveInput<P, T>): Promise<Resolution>;

  /**
   * What IAM must allow for this fault, from the same input as compile: `fis` for the FIS
   * experiment role (FIS's documented permissions of the actions compile emits, scoped to their
   * targets), `runner` for the calls this module makes itself (verify, afterStart, prepareUndo and
   * its undo) beyond the FIS lifecycle every fault shares (fis-runner.ts). `chaos iam-policy` and
   * `chaos setup` print them; required, so that a new fault cannot forget them.
   */
  permissions: {
    fis(input: CompileInput<P, T>): Permission[];
    runner(input: CompileInput<P, T>): Permission[];
  };
  /**
   * Undo beyond stopping the FIS experiment, decided before the experiment starts (so it can be
   * written to the ledger before anything changes). Capture what is needed to put things back.
   */
  prepareUndo?(ctx: Omit<FaultContext<P, T>, "fault">): Promise<PreparedUndo[]>;
  /**
   * Once the experiment runs: what did the fault really change? The runner writes the returned
   * undo to the ledger in place of what prepareUndo wrote (which had to guess before the start),
   * and keeps `effect` for verify (see startEffect). If it throws, verify finds `{ error }`.
   */
  afterStart?(ctx: FaultContext<P, T>, prepared: readonly PreparedUndo[]): Promise<StartEffect | undefined>;
  /**
   * For a fault FIS has no action for (its compile() gives no actions): makes the change itself
   * through the AWS clients, after prepareUndo's undo is in the ledger (see direct-runner.ts).
   */
  inject?(ctx: Omit<FaultContext<P, T>, "fault">): Promise<DirectInjection>;
  /** Checks, after the start, that the fault really took effect. */
  verify(ctx: FaultContext<P, T>): Promise<Verification>;
  /** The longest the fault's FIS experiment should run, to bound waiting for it. */
  expectedDurationMs(params: P): number;
}

export function defineFault<P, T>(fault: FaultModule<P, T>): FaultModule<P, T> {
  return fault;
}

// The engine hands verify the same InjectedFault the runner returned: what afterStart saw travels
// with it here rather than in the run view that probes and the journal see.
const effects = new WeakMap<InjectedFault, Record<string, unknown>>();

export function recordStartEffect(fault: InjectedFault, effect: Record<string, unknown>): void {
  effects.set(fault, effect);
}

/** What the fault's afterStart found it changed, if it ran and succeeded. */
export function startEffect(fault: InjectedFault): Record<string, unknown> | undefined {
  return effects.get(fault);
}
