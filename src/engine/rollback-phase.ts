/**
 * Rollbacks: everything in the ledger is undone, newest first. Chaos Toolkit's rollback strategy
 * decides only about the experiment's declared rollbacks; undoing gameday's own faults (stopping
 * FIS experiments, reactivating drained instances, deleting templates) is not optional: a run
 * never leaves its faults behind.
 */
import type { RollbackStrategy } from "../experiment/model.js";
import { executeUndo } from "./undo.js";
import { errorMessage } from "./signals.js";
import type { RunContext } from "./run-context.js";

/** What the run found before its rollbacks, as the strategy sees it. */
export interface RunSoFar {
  deviated: boolean;
  aborted: boolean;
  errored: boolean;
}

export function shouldRunDeclaredRollbacks(strategy: RollbackStrategy, run: RunSoFar): boolean {
  if (strategy === "never") return false;
  if (strategy === "always") return true;
  // "deviated": roll back whenever the run did not simply hold; an interrupted run is unknown ground.
  return run.deviated || run.aborted || run.errored;
}

/**
 * Writes the intent to run the declared rollbacks to the ledger as the method starts. The ledger is
 * a file on disk: it gets the steps with secrets masked. This run undoes from memory; `chaos
 * recover` has to be given the secrets again (see recover-command).
 */
export function recordDeclaredRollbacks(ctx: RunContext): void {
  if (ctx.e.rollbacks.length === 0) return;
  const steps = ctx.journal.redactValue(ctx.e.rollbacks);
  ctx.declaredIntent = ctx.o.ledger.intend(ctx.now(), "run the experiment's declared rollbacks", {
    type: "declared-rollbacks",
    steps,
    ...(steps !== ctx.e.rollbacks && JSON.stringify(steps) !== JSON.stringify(ctx.e.rollbacks) ? { secretsMasked: true } : {}),
  });
}

/** Undoes what the ledger holds; true when anything was run (so the steady state is worth re-checking). */
export async function runRollbacks(ctx: RunContext, notSteadyBefore: boolean): Promise<boolean> {
  let pending = ctx.o.ledger.pending();
  if (pending.length === 0) {
    if (notSteadyBefore && ctx.e.rollbacks.length > 0) ctx.warn("declared rollbacks were not run: the method never started, so there was nothing to undo");
    return false;
  }
  const runSoFar = { deviated: ctx.deviations.length > 0, aborted: ctx.abortInfo !== undefined, errored: ctx.errors.length > 0 };
  if (!shouldRunDeclaredRollbacks(ctx.rollbackStrategy, runSoFar)) {
    const declared = pending.filter((p) => p.undo.type === "declared-rollbacks");
    for (const intent of declared) ctx.o.ledger.markSkipped(intent.id, ctx.now(), `not run: rollback strategy ${ctx.rollbackStrategy}`);
    if (declared.length > 0) ctx.warn(`declared rollbacks skipped (strategy ${ctx.rollbackStrategy})`);
    pending = pending.filter((p) => p.undo.type !== "declared-rollbacks");
    if (pending.length === 0) return false;
  }
  ctx.phase("rollbacks");
  for (const original of pending) {
    const at = ctx.now();
    // The declared rollbacks run from memory, secrets and all; the ledger holds a masked copy.
    const intent = original.id === ctx.declaredIntent ? { ...original, undo: { type: "declared-rollbacks" as const, steps: ctx.e.rollbacks } } : original;
    try {
      const result = await executeUndo(intent, {
        services: ctx.s,
        cwd: ctx.o.cwd,
        // Rollbacks run to the end even after a signal; a second signal exits the process.
        signal: new AbortController().signal,
        onRollbackEntry: (entry) => ctx.journal.doc.rollbacks.push(entry),
      });
      ctx.o.ledger.markUndone(intent.id, ctx.now(), result.ok, result.ok ? undefined : result.detail);
      ctx.journal.doc.gameday.rollbackResults.push({ description: intent.description, ok: result.ok, detail: result.detail, at: ctx.iso(at) });
      ctx.emit({ type: "rollback", at: ctx.now(), description: result.detail, ok: result.ok });
      if (!result.ok) ctx.rollbackFailures.push(`${intent.description}: ${result.detail}`);
    } catch (err) {
      const error = errorMessage(err);
      ctx.o.ledger.markUndone(intent.id, ctx.now(), false, error);
      ctx.journal.doc.gameday.rollbackResults.push({ description: intent.description, ok: false, error, at: ctx.iso(at) });
      ctx.emit({ type: "rollback", at: ctx.now(), description: intent.description, ok: false, error });
      ctx.rollbackFailures.push(`${intent.description}: ${error}`);
    }
    ctx.save();
  }
  return true;
}
