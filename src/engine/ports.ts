/**
 * What the engine hands to probes and faults: the clock, randomness, AWS clients, the traffic
 * port and a view of the run so far. The composition root (the CLI) fills these in; probes and
 * faults never learn whether the target is the sandbox or AWS.
 */
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import type { AwsClients } from "../aws/clients.js";

/**
 * Offered load for a service's front door (the ALB). On the sandbox the simulated load generator
 * provides it; on other targets, an HTTP load generator against the service's URL. Either publishes
 * what it measured to the target's CloudWatch (Gameday/LoadGenerator, { Service }), where probes read it.
 */
export interface TrafficPort {
  /** Names of the services this target can drive and observe. */
  services(): string[];
  /** Ensures an open-model load of at least `rps` requests per second is offered. */
  drive(service: string, rps: number): void;
  /**
   * Adds an open-model load whose rate rises (or falls) linearly from `from` to `to` requests per
   * second over `overMs`, then ends. Optional: a port without it is ramped in steps with drive().
   */
  ramp?(service: string, from: number, to: number, overMs: number): void;
  /**
   * Optional: where the load generator itself could not keep its schedule so far (a busy process,
   * a full connection pool), one sentence per service, for the run's warnings: its measurements
   * there are its own, not the target's.
   */
  warnings?(): string[];
  /**
   * Optional: resolves once what the load generator measured for `service` in the periods that
   * ended by `until` has reached the target's CloudWatch (its PutMetricData calls answered), so a
   * reading of a period that has just ended sees the whole of it. A generator that puts over the
   * network finishes a period's puts a moment after the period ends, and a probe reading at that
   * instant would miss its last second. A port whose measurements are readable the moment they are
   * made (the embedded sandbox's CloudWatch collects them as it answers a read) has none.
   */
  published?(service: string, until: number): Promise<void>;
  /**
   * Optional, with published(): how many requests (RequestCount) of `service`'s periods that start
   * in [start, end) CloudWatch has accepted from the generator (successful PutMetricData), or
   * undefined when it cannot say. CloudWatch answers a put before a read shows it (AWS: seconds, at
   * times a minute or more), so a reader waits until the window shows them all.
   */
  requestsPut?(service: string, start: number, end: number): number | undefined;
}

/** A target with no load generator: traffic probes say so rather than pass on no data. */
export const noTraffic: TrafficPort = {
  services: () => [],
  drive() {},
};

/** A resource a fault resolved to (FIS ListExperimentResolvedTargets). */
export interface ResolvedTarget {
  targetName: string;
  resourceType: string;
  arn: string;
  info: Record<string, string>;
}

/** A fault that was started in this run. */
export interface InjectedFault {
  step: string;
  fault: string;
  /** The step's `with:` and `target:`, validated. */
  params: Record<string, unknown>;
  target: Record<string, unknown>;
  experimentId?: string;
  templateId?: string;
  startedAt: number;
  endedAt?: number;
  /** FIS experiment state when last seen. */
  status?: string;
  targets: ResolvedTarget[];
}

export interface RunView {
  readonly runId: string;
  readonly startedAt: number;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly faults: readonly InjectedFault[];
  /** Opens when the first fault starts; closes when the method ends and every fault has ended. */
  readonly chaosWindow: { start: number; end?: number } | undefined;
}

export interface Observation {
  at: number;
  message: string;
  detail?: Record<string, unknown>;
}

export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  debug(message: string, detail?: Record<string, unknown>): void;
}

/** What runs alongside an experiment, shared by probes and faults. */
export interface RunServices {
  clock: Clock;
  random: Random;
  aws: AwsClients;
  traffic: TrafficPort;
  log: Logger;
  /** "sandbox", "endpoint" or "aws": for journals and messages only, never for branching. */
  targetKind: string;
  region: string;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };
