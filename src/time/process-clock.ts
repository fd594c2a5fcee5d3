/**
 * The clock of one simulated process (a task's log shipper): the shared clock underneath, plus
 * the ability to kill the process. After kill() its timers never fire and its sleeps never end,
 * so code left running on a dead process stops at its next wait, as a SIGKILLed process would.
 */
import type { Clock } from "./clock.js";

export class ProcessClock implements Clock {
  private readonly cancels = new Set<() => void>();
  private readonly sleepers = new Set<AbortController>();
  private dead = false;

  constructor(private readonly base: Clock) {}

  get kind(): Clock["kind"] {
    return this.base.kind;
  }

  get alive(): boolean {
    return !this.dead;
  }

  now(): number {
    return this.base.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    if (this.dead) return () => {};
    let cancel = () => {};
    cancel = this.base.setTimer(ms, () => {
      this.cancels.delete(cancel);
      if (!this.dead) fn();
    });
    this.cancels.add(cancel);
    return () => {
      this.cancels.delete(cancel);
      cancel();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.dead) return new Promise(() => {});
    // The base clock's own sleep, so a virtual clock knows a sleeper wakes here; kill() aborts it
    // and the promise is then left unsettled, as a dead process's wait never ends.
    const killed = new AbortController();
    this.sleepers.add(killed);
    const both = signal ? AbortSignal.any([signal, killed.signal]) : killed.signal;
    return this.base.sleep(ms, both).then(
      () => {
        this.sleepers.delete(killed);
      },
      (err: unknown) => {
        this.sleepers.delete(killed);
        if (killed.signal.aborted) return new Promise<void>(() => {});
        throw err;
      },
    );
  }

  hold(): () => void {
    return this.base.hold();
  }

  /** The process is gone: cancel everything it armed and ignore whatever it arms from now on. */
  kill(): void {
    this.dead = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const s of this.sleepers) s.abort();
    this.sleepers.clear();
  }
}
