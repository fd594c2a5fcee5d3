/**
 * The log shipper's public API, for a user's own service and for the sandbox's log producers.
 * The pino transport is the package export "gameday/pipeline" (transport.mjs).
 */
export { Shipper } from "./shipper.js";
export type { ShipperMetrics } from "./metrics.js";
export { SHIPPER_NAMESPACE, emfLine, type ShipperMetricsOptions } from "./emf.js";
export type { ShipperOptions, ShipperEvent, DropReason } from "./options.js";
export {
  kinesisPortFromClient,
  createShipperKinesisClient,
  assertSingleAttempt,
  type KinesisPort,
  type PutEntry,
  type PutResult,
  type PutResultEntry,
  type ShipperClientOptions,
} from "./kinesis-port.js";
export { installExitHandlers, flushAndExit, exitCodeOf, type ExitOptions } from "./exit.js";
export { httpSecondary, type SecondaryPort } from "./secondary.js";
export { ID_FIELD, readRecordId, recordKey, type RecordId } from "./envelope.js";
export type { SpoolOptions, FsyncPolicy, DropPolicy } from "./spool.js";
