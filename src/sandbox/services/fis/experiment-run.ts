/**
 * Runs one experiment on the kernel's clock. Targets are resolved once when the run begins and
 * kept; an action starts when every action in its startAfter has completed (or was skipped);
 * the experiment completes when every action has completed or was skipped. An action that fails
 * fails the experiment: running actions are stopped (their stop() is called) and pending ones
 * cancelled. StopExperiment does the same, through `stopping`, ending `stopped`; so does one of
 * the template's stop-condition alarms entering ALARM (or already in ALARM when the run begins).
 */
import type { Kernel } from "../../kernel.js";
import type { ActionRecord, ActionStatus, ExperimentRecord, ExperimentStatus } from "./experiment-model.js";
import { ACTIVE_STATUSES } from "./experiment-model.js";
import type { FisErrorCode, FisRegistry, FisResource } from "./registry.js";
import { resolveTarget, TargetResolutionError } from "./resolve-targets.js";
import { alarmArns, HALT_DELAY_MS, HALTED_REASON, type StopConditionAlarms } from "./stop-conditions.js";

const LIVE_ACTION: ReadonlySet<ActionStatus> = new Set(["initiating", "running"]);
const FINISHED_OK: ReadonlySet<ActionStatus> = new Set(["completed", "skipped"]);

/** A FIS composed without CloudWatch: alarm stop conditions are kept but never fire. */
const ALARM_NOTE =
  " Its aws:cloudwatch:alarm stop conditions are recorded but not evaluated: this FIS has no CloudWatch alarms to watch.";

export class ExperimentRun {
  private cancelBegin: (() => void) | undefined;
  private advancing = false;
  private advanceAgain = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly registry: FisRegistry,
    readonly record: ExperimentRecord,
    private readonly alarms?: StopConditionAlarms,
  ) {}

  private unwatch: (() => void) | undefined;

  get active(): boolean {
    return ACTIVE_STATUSES.has(this.record.status);
  }

  /** Called by StartExperiment: the run begins on the clock, right after the call returns. */
  start(): void {
    this.setStatus("pending", "Experiment is pending.");
    this.setStatus("initiating", "Experiment is initiating.");
    this.cancelBegin = this.kernel.clock.setTimer(0, () => this.begin());
  }

  /** StopExperiment: stop running actions, cancel pending ones, then `stopped`. */
  stop(): void {
    if (!this.active || this.record.status === "stopping") return;
    this.cancelBegin?.();
    this.setStatus("stopping", "Experiment is stopping.");
    this.haltActions("The experiment was stopped.");
    this.kernel.clock.setTimer(0, () => {
      for (const a of this.record.actions.values()) {
        if (a.status === "stopping") this.setActionStatus(a, "stopped", "Action was stopped.");
      }
      this.record.endTime = this.kernel.now();
      this.setStatus("stopped", "Experiment stopped.");
    });
  }

  /** A stop-condition alarm entered ALARM: stopping now, stopped a moment later; no resume. */
  private haltByStopCondition(arn: string): void {
    if (!this.active || this.record.status === "stopping") return;
    this.unwatch?.();
    this.kernel.record("fis", "stop-condition", `${this.record.id} stop condition ${arn} is in ALARM`, { experimentId: this.record.id, alarmArn: arn });
    this.setStatus("stopping", HALTED_REASON);
    this.haltActions("the experiment was halted by a stop condition.");
    this.kernel.clock.setTimer(HALT_DELAY_MS, () => {
      for (const a of this.record.actions.values()) {
        if (a.status === "stopping") this.setActionStatus(a, "stopped", "Action was stopped.");
      }
      this.record.endTime = this.kernel.now();
      this.setStatus("stopped", HALTED_REASON);
    });
  }

  private begin(): void {
    this.cancelBegin = undefined;
    if (this.record.status !== "initiating") return;
    const r = this.record;
    for (const [name, target] of Object.entries(r.template.targets)) {
      try {
        r.resolved.set(name, resolveTarget(target, this.registry, this.kernel.random.fork(`fis:select:${r.id}:${name}`)));
      } catch (err) {
        if (!(err instanceof TargetResolutionError)) throw err;
        return this.fail("ConfigurationFailure", name, `Target "${name}" could not be resolved: ${err.message}.`);
      }
      this.kernel.record("fis", "target-resolved", `${r.id} target ${name} resolved to ${r.resolved.get(name)!.length} resource(s)`, {
        experimentId: r.id,
        target: name,
        arns: r.resolved.get(name)!.map((res) => res.arn),
      });
    }
    if (!this.checkTargetsFound()) return;
    if (r.actionsMode === "skip-all") {
      for (const a of r.actions.values()) {
        if (a.status === "pending") this.setActionStatus(a, "skipped", "Action was skipped: the experiment runs with actionsMode skip-all.");
      }
    } else if (!this.checkTargetQuotas()) {
      return;
    }
    const arns = alarmArns(r.template);
    this.setStatus("running", arns.length > 0 && !this.alarms ? `Experiment is running.${ALARM_NOTE}` : "Experiment is running.");
    if (this.alarms && arns.length > 0) {
      const watched = new Set(arns);
      this.unwatch = this.alarms.watch((arn, state) => {
        if (state === "ALARM" && watched.has(arn)) this.haltByStopCondition(arn);
      });
      // An alarm already in ALARM halts the run at once (FIS documents no other outcome).
      const firing = arns.find((arn) => this.alarms!.stateOf(arn) === "ALARM");
      if (firing) return this.haltByStopCondition(firing);
    }
    this.advance();
  }

  /** Empty targets fail the run, or skip their actions with emptyTargetResolutionMode skip. */
  private checkTargetsFound(): boolean {
    const r = this.record;
    const skip = r.template.experimentOptions.emptyTargetResolutionMode === "skip";
    for (const a of r.actions.values()) {
      const empty = Object.values(a.spec.targets ?? {}).find((t) => (r.resolved.get(t)?.length ?? 0) === 0);
      if (empty === undefined || a.status !== "pending") continue;
      if (!skip) {
        this.fail("InvalidTarget", empty, `Target resolution failed: target "${empty}" of action "${a.name}" resolved to no resources.`);
        return false;
      }
      this.setActionStatus(a, "skipped", `Action was skipped: target "${empty}" resolved to no resources (emptyTargetResolutionMode skip).`);
    }
    return true;
  }

  /** FIS's per-action target quotas (5 spot instances, 5 tasks, ...) apply to the resolved set. */
  private checkTargetQuotas(): boolean {
    for (const a of this.record.actions.values()) {
      const type = this.registry.action(a.spec.actionId);
      const max = type?.target?.maxResources;
      if (a.status !== "pending" || !type?.target || max === undefined) continue;
      const count = this.resourcesFor(a)[type.target.key]?.length ?? 0;
      if (count > max) {
        this.fail(
          "QuotaExceededFailure",
          a.name,
          `Action "${a.name}" (${a.spec.actionId}) would target ${count} resources for ${type.target.key}; the quota is ${max}.`,
        );
        return false;
      }
    }
    return true;
  }

  private resourcesFor(a: ActionRecord): Record<string, FisResource[]> {
    const out: Record<string, FisResource[]> = {};
    for (const [key, target] of Object.entries(a.spec.targets ?? {})) out[key] = this.record.resolved.get(target) ?? [];
    return out;
  }

  /** Starts every action whose predecessors are done; completes the run when all are. */
  private advance(): void {
    // Actions may complete synchronously inside start(); re-entry is folded into one loop.
    if (this.advancing) {
      this.advanceAgain = true;
      return;
    }
    this.advancing = true;
    try {
      do {
        this.advanceAgain = false;
        this.step();
      } while (this.advanceAgain);
    } finally {
      this.advancing = false;
    }
  }

  private step(): void {
    const r = this.record;
    if (r.status !== "running") return;
    for (const a of r.actions.values()) {
      if (r.status !== "running") return;
      if (a.status !== "pending") continue;
      const ready = (a.spec.startAfter ?? []).every((name) => FINISHED_OK.has(r.actions.get(name)!.status));
      if (ready) this.startAction(a);
    }
    if (r.status === "running" && [...r.actions.values()].every((a) => FINISHED_OK.has(a.status))) {
      r.endTime = this.kernel.now();
      this.setStatus("completed", "Experiment completed.");
    }
  }

  private startAction(a: ActionRecord): void {
    const type = this.registry.action(a.spec.actionId);
    if (!type) return this.fail("ConfigurationFailure", a.name, `Action "${a.name}": ${a.spec.actionId} is no longer registered.`);
    a.startTime = this.kernel.now();
    this.setActionStatus(a, "initiating", "Action is initiating.");
    let settled = false;
    const done = () => {
      if (settled || !LIVE_ACTION.has(a.status)) return;
      settled = true;
      a.endTime = this.kernel.now();
      this.setActionStatus(a, "completed", "Action was completed.");
      this.advance();
    };
    const fail = (reason: string, code: FisErrorCode = "DependentServiceFailure") => {
      if (settled || !LIVE_ACTION.has(a.status)) return;
      settled = true;
      a.endTime = this.kernel.now();
      this.setActionStatus(a, "failed", reason);
      this.fail(code, a.name, `Action "${a.name}" (${a.spec.actionId}) failed: ${reason}`);
    };
    const ctx = {
      kernel: this.kernel,
      experimentId: this.record.id,
      actionName: a.name,
      parameters: { ...(a.spec.parameters ?? {}) },
      targets: this.resourcesFor(a),
    };
    try {
      a.run = type.start(ctx, done, fail);
    } catch (err) {
      return fail(`the action could not start: ${err instanceof Error ? err.message : String(err)}`, "InternalFailure");
    }
    if (a.status === "initiating") this.setActionStatus(a, "running", "Action is running.");
  }

  /** Fails the experiment: running actions are stopped, pending ones cancelled. */
  private fail(code: FisErrorCode, location: string, reason: string): void {
    if (!this.active) return;
    this.cancelBegin?.();
    this.haltActions("The experiment failed.");
    for (const a of this.record.actions.values()) {
      if (a.status === "stopping") this.setActionStatus(a, "stopped", "Action was stopped because the experiment failed.");
    }
    this.record.error = { accountId: this.kernel.accountId, code, location };
    this.record.endTime = this.kernel.now();
    this.setStatus("failed", reason);
  }

  /** Moves live actions to `stopping` and calls their stop(); cancels actions that never started. */
  private haltActions(why: string): void {
    for (const a of this.record.actions.values()) {
      if (a.status === "pending") {
        this.setActionStatus(a, "cancelled", `Action was cancelled: ${why}`);
      } else if (LIVE_ACTION.has(a.status)) {
        this.setActionStatus(a, "stopping", "Action is stopping.");
        a.endTime = this.kernel.now();
        try {
          a.run?.stop();
        } catch (err) {
          this.kernel.record("fis", "action-stop-error", `${this.record.id} ${a.name}: stop() threw: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  private setStatus(status: ExperimentStatus, reason: string): void {
    const r = this.record;
    r.status = status;
    r.reason = reason;
    if (!this.active) this.unwatch?.();
    this.kernel.record("fis", "experiment-state", `${r.id} ${status}: ${reason}`, { experimentId: r.id, templateId: r.templateId, status, reason });
  }

  private setActionStatus(a: ActionRecord, status: ActionStatus, reason: string): void {
    a.status = status;
    a.reason = reason;
    this.kernel.record("fis", "action-state", `${this.record.id} ${a.name} ${status}: ${reason}`, {
      experimentId: this.record.id,
      action: a.name,
      actionId: a.spec.actionId,
      status,
      reason,
    });
  }
}
