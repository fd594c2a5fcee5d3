/**
 * EFS's documented performance figures, in one place so tests can pin the model to them.
 * Sources (Amazon EFS user guide): performance.html ("Performance summary" table, "Throughput
 * modes", "Bursting throughput"), monitoring/efs-metrics.html (AWS/EFS metrics); see also
 * /work/shared/reference/aws-semantics.md section 5.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export type PerformanceMode = "generalPurpose" | "maxIO";
export type ThroughputMode = "bursting" | "elastic" | "provisioned";
export type EfsOperation = "open" | "stat" | "read" | "write";

/** General Purpose latency, performance.html: reads "as low as 250 µs" on every file system type. */
export const GP_READ_LATENCY_MS = 0.25;
/** General Purpose writes "as low as 2.7 ms" (Regional) and "as low as 1.6 ms" (One Zone). */
export const GP_WRITE_LATENCY_MS = { regional: 2.7, oneZone: 1.6 } as const;
/**
 * Max I/O "has higher per-operation latencies than General Purpose" (performance.html) but the
 * guide gives no figure; the sandbox doubles General Purpose's. An assumption, named as one.
 */
export const MAX_IO_LATENCY_FACTOR = 2;

/**
 * open and stat are metadata round trips (NFS LOOKUP/GETATTR/ACCESS); the guide gives no separate
 * figure, so they cost a read's round trip. An assumption, named as one.
 */
export function baseLatencyMs(op: EfsOperation, mode: PerformanceMode, oneZone: boolean): number {
  const gp = op === "write" ? (oneZone ? GP_WRITE_LATENCY_MS.oneZone : GP_WRITE_LATENCY_MS.regional) : GP_READ_LATENCY_MS;
  return mode === "maxIO" ? gp * MAX_IO_LATENCY_FACTOR : gp;
}

/** Bursting: "50 KiB/s per GiB of storage" baseline (50 MiB/s per TiB). */
export const BURST_BASELINE_PER_GIB = 50 * KiB;
/** "Amazon EFS provides a metered throughput of 1 MiBps to all file systems, even if the baseline rate is lower." */
export const MIN_BASELINE = 1 * MiB;
/** "All file systems, regardless of size, can burst to 100 MiBps"; above 1 TiB, 100 MiB/s per TiB. */
export const BURST_RATE_MIN = 100 * MiB;
export const BURST_RATE_PER_TIB = 100 * MiB;
/** New file systems start with 2.1 TiB of credits; below 1 TiB that is also the most they hold (per TiB above). */
export const INITIAL_BURST_CREDITS = 2.1 * TiB;
export const MAX_BURST_CREDITS_PER_TIB = 2.1 * TiB;

/** Elastic's per-file-system write ceiling in the summary table's lowest Region figure (1 GiB/s) and per-client 1,500 MiB/s. */
export const ELASTIC_WRITE_RATE = 1 * GiB;
/** Per-client throughput: 1,500 MiB/s on Elastic, 500 MiB/s on Provisioned and Bursting. */
export function perClientRate(mode: ThroughputMode): number {
  return mode === "elastic" ? 1_500 * MiB : 500 * MiB;
}

/** Maximum IOPS (General Purpose, Regional) by throughput mode, the basis of PercentIOLimit: [read, write]. */
export const IOPS_LIMIT: Record<ThroughputMode, { read: number; write: number }> = {
  elastic: { read: 900_000, write: 500_000 },
  provisioned: { read: 55_000, write: 25_000 },
  bursting: { read: 35_000, write: 7_000 },
};

/** Reads are metered "at one-third the rate of other operations" (Bursting and Provisioned; MeteredIOBytes). */
export const READ_METERING_FACTOR = 1 / 3;
/**
 * Bytes a metadata operation (open, stat) counts as in MetadataIOBytes; EFS meters small I/O at a
 * 4 KiB minimum (Elastic throughput pricing). Used for metadata: an assumption, named as one.
 */
export const METADATA_IO_BYTES = 4 * KiB;

/** "EFS allows about 25,000 connections per file system" (quotas; reference section 5 asks to verify). */
export const MAX_CLIENT_CONNECTIONS = 25_000;
