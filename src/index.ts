/**
 * gameday's library API: what a team's own probes, faults and services import from "gameday".
 * The CLI (`chaos`) is the usual way in; this is for extending it and for the log shipper.
 */
export { defineProbe, type OutputField, type OutputUnit, type ProbeContext, type ProbeModule, type ProbeOutput, type ProbeReading } from "./engine/probe.js";
export type {
  InjectedFault,
  Observation,
  ResolvedTarget,
  RunServices,
  RunView,
  TrafficPort,
} from "./engine/ports.js";
export { duration } from "./engine/params.js";
export type { Clock } from "./time/clock.js";
export { RealClock, ScaledClock, VirtualClock } from "./time/clock.js";
export type { Random } from "./random/random.js";
export { SeededRandom } from "./random/random.js";
export type { AwsClients } from "./aws/clients.js";
export { StreamReader, type ReadReport } from "./aws/kinesis-reader.js";
/** zod, re-exported so that a probe's parameter schema needs no dependency of its own. */
export { z } from "zod";
export * from "./pipeline/index.js";
