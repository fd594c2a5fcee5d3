/**
 * Runs a fault that FIS has no action for (an ECS deployment): the undo goes to the ledger first,
 * then the fault makes its change through the AWS clients. No template, no FIS experiment; the
 * injected fault has no experiment id, so the engine has nothing of FIS to wait for or stop.
 */
import type { InjectedFault } from "../engine/ports.js";
import type { FaultStart } from "./fis-runner.js";
import { recordStartEffect } from "./types.js";

export async function startDirect(s: FaultStart): Promise<InjectedFault> {
  const { clock } = s.services;
  const ctx = { ...s.services, params: s.params, target: s.target, run: s.run, signal: s.signal };
  for (const u of (await s.module.prepareUndo?.(ctx)) ?? []) s.ledger.intend(clock.now(), u.description, u.undo);
  const startedAt = clock.now();
  const done = await s.module.inject!(ctx);
  const injected: InjectedFault = { step: s.stepName, fault: s.module.name, params: s.params, target: s.target, startedAt, status: "completed", targets: done.targets };
  recordStartEffect(injected, done.effect);
  return injected;
}
