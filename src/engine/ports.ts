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
}

/** A log shipper's counters, as the log probes read them (gameday's shipper reports these). */
export interface ShipperCounters {
  accepted: number;
  delivered: number;
  resent: number;
  /** Records Kinesis throttled (entries and whole calls). */
  throttled: number;
  spooled: number;
  replayed: number;
  dropped: number;
  deadLettered: number;
  duplicatesPossible: number;
  spoolBytes: number;
  spoolRecords: number;
  oldestSpooledAgeMs: number;
  breaker: string;
  /** When the breaker last left closed (the moment the fallback engaged), if it has. */
  breakerOpenedAt?: number;
  inMemory: number;
  /** Live records in calls or backoff; records replayed from the spool count in spoolRecords only. */
  inFlight: number;
}

export interface LogProducerReport {
  /** The producing process: a task id in the sandbox. */
  id: string;
  service: string;
  alive: boolean;
  /** Lines the application handed to its shipper. */
  produced: number;
  /** The record ids this producer stamps ({host, boot, seq}): its records are seq 0 .. accepted-1. */
  source?: { host: string; boot: string };
  /** Live counters while it runs; the last ones once it is gone. */
  counters: ShipperCounters;
}

/**
 * The producers of a log pipeline, seen from outside: how much they produced and where their
 * records are. On the sandbox the composition root reports its simulated tasks' shippers.
 */
export interface LogPipelinePort {
  producers(): LogProducerReport[];
  /** Spooled records whose producer is gone, waiting on its host for a successor to replay them. */
  orphanedSpoolRecords(): number;
  /** Spooled records that died with their host's disk. */
  lostWithHosts(): number;
}

/** A target with no load generator: traffic probes say so rather than pass on no data. */
export const noTraffic: TrafficPort = {
  services: () => [],
  drive() {},
};

export const noLogPipeline: LogPipelinePort = { producers: () => [], orphanedSpoolRecords: () => 0, lostWithHosts: () => 0 };

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
  logs: LogPipelinePort;
  log: Logger;
  /** "sandbox", "endpoint" or "aws": for journals and messages only, never for branching. */
  targetKind: string;
  region: string;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };
