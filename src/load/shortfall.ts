/**
 * When the load generator, not the target, is the bottleneck. An open-model generator promises to
 * send each request at its scheduled instant; when the process cannot keep up (a served sandbox at
 * a high --speed, a busy machine) or its own connection pool is full, requests go out late or not
 * at all, and their failures say nothing about the target. Those are counted here, apart from the
 * target's own failures, so that probes refuse to judge a window they polluted and the run warns.
 */

/** Lateness worth counting, ms of the generator's clock: probes judge at a second's grain. */
export const LATE_MS = 1_000;

/**
 * Share of a window's offered requests the generator may miss (late or never sent) before the
 * window stops being a measurement of the target. Below it the generator's own failures are left
 * out of availability and the reading stands; at or above it the probe cannot judge. 1%, the
 * capacity probe's default error bound: a larger shortfall changes the load as much as the
 * errors it is looking for.
 */
export const MAX_SHORTFALL_SHARE = 0.01;

/** What went wrong on the generator's side, counted as requests go (shared by a service's generators). */
export class GeneratorShortfall {
  /** Requests scheduled (sent or given up on). */
  scheduled = 0;
  /** Requests that reached a connection more than LATE_MS after their scheduled instant. */
  late = 0;
  /** The latest any request reached its connection after its scheduled instant, ms. */
  maxLateMs = 0;
  /** Requests that had to wait for a free connection of the generator's own pool. */
  waitedForSocket = 0;
  /** Requests given up on before they got a connection: the pool stayed full for the whole timeout. */
  unsent = 0;
  /** Requests whose timeout fired so late (a stalled process) that an answer may have come unread. */
  stalled = 0;

  /** Requests the generator could not offer as scheduled (late, never sent, or their outcome unknown). */
  get missed(): number {
    return this.late + this.unsent + this.stalled;
  }
}

/** A window's counts as the Gameday/LoadGenerator metrics give them back. */
export interface WindowCounts {
  /** Requests whose outcome measured the target (RequestCount): late ones among them. */
  requests: number;
  /** GeneratorErrorCount: requests that never reached the target, or whose outcome was lost. */
  generatorErrors: number;
  /** GeneratorLateCount: requests that reached the target late. */
  generatorLate: number;
}

/** The generator's shortfall in a window, as a share of what it offered. */
export function shortfallShare(w: WindowCounts): number {
  const offered = w.requests + w.generatorErrors;
  return offered > 0 ? (w.generatorErrors + w.generatorLate) / offered : 0;
}

/** Whether a window measured the generator more than the target (see MAX_SHORTFALL_SHARE). */
export function polluted(w: WindowCounts): boolean {
  return shortfallShare(w) >= MAX_SHORTFALL_SHARE;
}

/** The generator's part of a window, in words (for a probe's observation or error). */
export function describeWindowShortfall(w: WindowCounts): string {
  const parts: string[] = [];
  if (w.generatorLate > 0) parts.push(`sent ${w.generatorLate} request(s) more than ${LATE_MS / 1000} s late`);
  if (w.generatorErrors > 0) parts.push(`could not send (or lost the answer of) ${w.generatorErrors}`);
  // Late requests count when they went out, outcomes when they ended: "beside", not "of".
  return `the load generator ${parts.join(" and ")}, beside ${w.requests} whose outcome it measured,`;
}

/**
 * For a probe reading `w` (the last `windowMs` of `what`'s load): throws "cannot judge" when the
 * generator fell behind by MAX_SHORTFALL_SHARE or more (an error of the reading, never a deviation
 * of the service); otherwise returns the observation to add when it fell behind by less, if at all.
 */
export function judgeableWindow(w: WindowCounts, what: string, windowMs: number, at: number): { at: number; message: string } | undefined {
  const seconds = windowMs / 1000;
  if (polluted(w)) throw new Error(`in the last ${seconds} s ${describeWindowShortfall(w)} ${MAX_SHORTFALL_SHARE * 100}% or more of its load: it could not keep its schedule; cannot judge ${what}`);
  if (w.generatorErrors + w.generatorLate === 0) return undefined;
  return { at, message: `${what}: in the last ${seconds} s ${describeWindowShortfall(w)} under ${MAX_SHORTFALL_SHARE * 100}% of its load (what it never sent is not held against ${what})` };
}

export interface GeneratorLimits {
  maxSockets: number;
  timeoutMs: number;
  /** The generator's clock kind: "scaled" is a served sandbox's sped-up time. */
  clock: "real" | "scaled" | "virtual";
}

/**
 * The run's warning for a service whose generator fell behind, or undefined when it kept up. It
 * names the service, how far behind, what it means and what to do.
 */
export function shortfallWarning(service: string, s: GeneratorShortfall, limits: GeneratorLimits): string | undefined {
  if (s.missed === 0) return undefined;
  const what: string[] = [];
  if (s.late > 0) what.push(`${s.late} went out more than ${LATE_MS / 1000} s late (up to ${(s.maxLateMs / 1000).toFixed(1)} s)`);
  if (s.unsent > 0) what.push(`${s.unsent} never got one of its ${limits.maxSockets} connections within the ${limits.timeoutMs / 1000} s timeout`);
  if (s.stalled > 0) what.push(`${s.stalled} timed out while the process was stalled, so their answers may have come unread`);
  const pool = s.waitedForSocket > 0 ? `; ${s.waitedForSocket} waited for a free connection of its own pool` : "";
  const advice =
    limits.clock === "scaled"
      ? "serve the sandbox at a lower --speed (or give this process CPU to spare)"
      : "run gameday where it has CPU to spare, or offer less load at once";
  return (
    `the load generator for ${service} could not keep its schedule: of ${s.scheduled} requests, ${what.join(", ")}${pool}. ` +
    `These are the generator's failures, not ${service}'s: they are left out of its availability, and probe readings ` +
    `whose window they reach ${MAX_SHORTFALL_SHARE * 100}% of cannot judge ${service}. To measure it, ${advice}`
  );
}
