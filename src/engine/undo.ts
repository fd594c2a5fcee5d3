/**
 * Carries out one ledger intent, during a run's rollbacks or later in `chaos recover`: fault undo
 * goes to the faults' undo executors, declared rollbacks run their activities (each one even if an
 * earlier one failed, as in Chaos Toolkit).
 */
import type { ActivityStep, Step } from "../experiment/model.js";
import { undoFault } from "../faults/undo.js";
import type { LedgerIntent } from "./ledger.js";
import type { RunServices } from "./ports.js";
import { runActivityProvider } from "./checks.js";
import { errorMessage } from "./signals.js";
import type { RunEntry } from "./journal.js";

export interface UndoContext {
  services: RunServices;
  cwd: string;
  signal: AbortSignal;
  /** Receives each declared rollback as a Chaos Toolkit run entry, for the journal. */
  onRollbackEntry?: (entry: RunEntry) => void;
}

export async function executeUndo(intent: LedgerIntent, ctx: UndoContext): Promise<{ ok: boolean; detail: string }> {
  const undo = intent.undo;
  if (undo.type !== "declared-rollbacks") return undoFault(undo, ctx.services.aws, ctx.services.clock);
  const steps = undo.steps as Step[];
  let failed = 0;
  for (const step of steps) {
    const { clock } = ctx.services;
    const start = clock.now();
    const entry: RunEntry = { activity: { type: step.kind === "activity" ? step.type : step.kind, name: step.name }, start: new Date(start).toISOString(), status: "running" };
    ctx.onRollbackEntry?.(entry);
    try {
      if (step.kind === "activity") {
        entry.activity = { type: step.type, name: step.name, provider: (step as ActivityStep).provider };
        // Chaos Toolkit honours an activity's pauses in rollbacks too.
        if (step.pauses?.before) await clock.sleep(step.pauses.before, ctx.signal);
        entry.output = await runActivityProvider(step, { services: ctx.services, cwd: ctx.cwd }, ctx.signal, step.timeout);
        if (step.pauses?.after) await clock.sleep(step.pauses.after, ctx.signal);
      } else if (step.kind === "pause") {
        await clock.sleep(step.duration, ctx.signal);
      } else {
        throw new Error(`a ${step.kind} step cannot be a rollback; use an action`);
      }
      entry.status = "succeeded";
    } catch (err) {
      failed++;
      entry.status = "failed";
      entry.exception = [errorMessage(err)];
    } finally {
      entry.end = new Date(clock.now()).toISOString();
      entry.duration = (clock.now() - start) / 1000;
    }
  }
  const n = steps.length;
  return failed === 0 ? { ok: true, detail: `ran ${n} declared rollback${n === 1 ? "" : "s"}` } : { ok: false, detail: `${failed} of ${n} declared rollbacks failed` };
}
