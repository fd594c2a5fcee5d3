/**
 * One EFS file system as its clients see it: mount targets (one per AZ), NFS connections, and the
 * time each operation takes: the documented per-operation latency (performance.ts), plus the time
 * its metered bytes wait for the file system's permitted throughput (bursting credits, elastic or
 * provisioned), plus whatever a fault adds on the NFS path. The model computes a duration; the
 * caller (a workload on the sandbox's clock) sleeps it.
 */
import type { Random } from "../../../random/random.js";
import {
  BURST_BASELINE_PER_GIB,
  BURST_RATE_MIN,
  BURST_RATE_PER_TIB,
  ELASTIC_WRITE_RATE,
  GiB,
  INITIAL_BURST_CREDITS,
  MAX_BURST_CREDITS_PER_TIB,
  MAX_CLIENT_CONNECTIONS,
  METADATA_IO_BYTES,
  MIN_BASELINE,
  MiB,
  READ_METERING_FACTOR,
  TiB,
  baseLatencyMs,
  perClientRate,
  type EfsOperation,
  type PerformanceMode,
  type ThroughputMode,
} from "./performance.js";

export interface FileSystemSpec {
  name: string;
  performanceMode: PerformanceMode;
  throughputMode: ThroughputMode;
  /** Provisioned mode only: MiB/s. */
  provisionedThroughputMiBps?: number | undefined;
  /** Data stored in the Standard class; sets the bursting baseline. */
  sizeGiB: number;
  oneZone: boolean;
  /** Credits at start, in bytes (2.1 TiB for a new file system). */
  burstCreditBytes?: number | undefined;
  accessPoints: { name: string; path: string; uid: number; gid: number }[];
}

export interface MountTarget {
  id: string;
  az: string;
  subnetId: string;
  ip: string;
  /** A fault made it unreachable (blackholed port 2049, deleted): mounts and I/O through it fail. */
  lost: boolean;
}

export interface AccessPoint {
  id: string;
  arn: string;
  name: string;
  path: string;
  uid: number;
  gid: number;
}

/**
 * NFS latency a fault adds between clients and the mount targets: every client through every
 * mount target, unless narrowed to some AZs, to some clients (one function's execution
 * environments) or to some mount-target IPs (a FIS action's `sources`).
 */
export interface LatencyFault {
  delayMs: number;
  jitterMs: number;
  azs?: ReadonlySet<string> | undefined;
  clients?: ((clientId: string) => boolean) | undefined;
  ips?: ReadonlySet<string> | undefined;
}

/** EFS allows one throughput mode change or provisioned decrease per 24 hours (UpdateFileSystem, TooManyRequests). */
export const THROUGHPUT_CHANGE_INTERVAL_MS = 24 * 3_600_000;

/** Why UpdateFileSystem was refused: the 24-hour limit, with the time the next change is allowed. */
export class ThroughputChangeRefused extends Error {
  constructor(readonly allowedAt: number) {
    super(`You have reached the maximum number of throughput mode changes or provisioned throughput value decreases. Wait until ${new Date(allowedAt).toISOString().replace(/\.\d{3}Z$/, "Z")} UTC and try again.`);
  }
}

/** Why an NFS call failed: the mount target is unreachable, or the file system refuses the client. */
export class NfsError extends Error {
  constructor(
    readonly reason: "unreachable" | "not-mounted" | "too-many-connections",
    message: string,
  ) {
    super(message);
  }
}

/** What one minute's operations added up to, for AWS/EFS. */
export interface MinuteUsage {
  minute: number;
  dataRead: number[];
  dataWrite: number[];
  metadata: number[];
  metered: number;
  readOps: number;
  writeOps: number;
  clients: Set<string>;
}

export class EfsFileSystem {
  readonly mountTargets: MountTarget[] = [];
  readonly accessPoints: AccessPoint[] = [];
  readonly latencyFaults = new Set<LatencyFault>();
  /** Bytes/s the file system may drive at most while a throughput-starvation fault holds. */
  throughputCap: number | undefined;
  private credits: number;
  private settledAt: number;
  private pipeFreeAt = 0;
  private readonly connections = new Map<string, MountTarget>();
  private usage: MinuteUsage | undefined;
  /** When the throughput mode last changed or provisioned throughput last went down (undefined: never). */
  private restrictedChangeAt: number | undefined;

  constructor(
    readonly id: string,
    readonly arn: string,
    readonly spec: FileSystemSpec,
    private readonly now: () => number,
    private readonly random: Random,
    private readonly onMinute: (usage: MinuteUsage) => void,
  ) {
    this.credits = Math.min(spec.burstCreditBytes ?? INITIAL_BURST_CREDITS, this.maxCredits());
    this.settledAt = now();
  }

  /** Baseline of the bursting mode: 50 KiB/s per GiB stored, never below 1 MiB/s. */
  baselineRate(): number {
    return Math.max(MIN_BASELINE, this.spec.sizeGiB * BURST_BASELINE_PER_GIB);
  }

  /** Bytes/s of metered throughput allowed now (PermittedThroughput). */
  permittedThroughput(): number {
    this.settle();
    let rate: number;
    const storedTiB = (this.spec.sizeGiB * GiB) / TiB;
    switch (this.spec.throughputMode) {
      case "bursting":
        rate = this.credits > 0 ? Math.max(BURST_RATE_MIN, storedTiB * BURST_RATE_PER_TIB) : this.baselineRate();
        break;
      case "provisioned":
        // PermittedThroughput shows the storage-based rate when it is higher than the provisioned one.
        rate = Math.max((this.spec.provisionedThroughputMiBps ?? 1) * MiB, this.baselineRate());
        break;
      case "elastic":
        rate = ELASTIC_WRITE_RATE;
        break;
    }
    return this.throughputCap === undefined ? rate : Math.min(rate, this.throughputCap);
  }

  /**
   * UpdateFileSystem: a mode change or a lower provisioned rate is allowed once per 24 hours; a
   * higher provisioned rate at any time. Throws ThroughputChangeRefused inside the 24 hours.
   */
  updateThroughput(mode: ThroughputMode, provisionedMiBps: number | undefined): void {
    this.settle();
    const now = this.now();
    const current = this.spec.provisionedThroughputMiBps;
    const restricted = mode !== this.spec.throughputMode || (mode === "provisioned" && provisionedMiBps !== undefined && current !== undefined && provisionedMiBps < current);
    if (restricted && this.restrictedChangeAt !== undefined && now < this.restrictedChangeAt + THROUGHPUT_CHANGE_INTERVAL_MS) {
      throw new ThroughputChangeRefused(this.restrictedChangeAt + THROUGHPUT_CHANGE_INTERVAL_MS);
    }
    if (restricted) this.restrictedChangeAt = now;
    this.spec.throughputMode = mode;
    this.spec.provisionedThroughputMiBps = mode === "provisioned" ? (provisionedMiBps ?? current) : undefined;
  }

  burstCreditBalance(): number {
    this.settle();
    return this.credits;
  }

  /** NFS connections open now (ClientConnections). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Mounts through the AZ's mount target: one NFS connection per client (an instance, an execution environment). */
  mount(clientId: string, az: string): MountTarget {
    const target = this.mountTargets.find((t) => t.az === az);
    if (!target) throw new NfsError("unreachable", `file system ${this.id} has no mount target in ${az}`);
    if (target.lost) throw new NfsError("unreachable", `mount target ${target.id} (${target.ip}) in ${az} does not answer on NFS port 2049`);
    if (!this.connections.has(clientId) && this.connections.size >= MAX_CLIENT_CONNECTIONS) {
      throw new NfsError("too-many-connections", `file system ${this.id} has ${MAX_CLIENT_CONNECTIONS} client connections`);
    }
    this.connections.set(clientId, target);
    this.minuteUsage().clients.add(clientId);
    return target;
  }

  unmount(clientId: string): void {
    this.connections.delete(clientId);
  }

  /**
   * Performs one operation for a mounted client and returns how long it takes, in milliseconds:
   * latency + fault delay + the wait for its metered bytes to pass the permitted throughput.
   */
  operate(clientId: string, op: EfsOperation, bytes = 0): number {
    const target = this.connections.get(clientId);
    if (!target) throw new NfsError("not-mounted", `client ${clientId} has not mounted ${this.id}`);
    if (target.lost) throw new NfsError("unreachable", `mount target ${target.id} (${target.ip}) in ${target.az} does not answer on NFS port 2049`);
    const isData = op === "read" || op === "write";
    const ioBytes = isData ? bytes : METADATA_IO_BYTES;
    const metered = op === "read" && this.spec.throughputMode !== "elastic" ? ioBytes * READ_METERING_FACTOR : ioBytes;
    const rate = this.permittedThroughput();
    const now = this.now();
    const start = Math.max(now, this.pipeFreeAt);
    this.pipeFreeAt = start + (metered * 1000) / rate;
    const queued = this.pipeFreeAt - now;
    const perClient = (ioBytes * 1000) / perClientRate(this.spec.throughputMode);
    this.credits = Math.max(0, this.credits - metered);
    this.record(clientId, op, ioBytes, metered);
    return baseLatencyMs(op, this.spec.performanceMode, this.spec.oneZone) + this.faultDelay(clientId, target) + Math.max(queued, perClient);
  }

  /** Publishes the minute that has ended, if any operations or connections fell in it. */
  flush(): void {
    const u = this.usage;
    if (u && u.minute < minuteStart(this.now())) {
      this.usage = undefined;
      for (const clientId of this.connections.keys()) this.minuteUsage().clients.add(clientId);
      this.onMinute(u);
    }
  }

  private faultDelay(clientId: string, target: MountTarget): number {
    let delay = 0;
    for (const f of this.latencyFaults) {
      if (f.azs && !f.azs.has(target.az)) continue;
      if (f.clients && !f.clients(clientId)) continue;
      if (f.ips && !f.ips.has(target.ip)) continue;
      delay += f.delayMs + (f.jitterMs > 0 ? this.random.next() * f.jitterMs : 0);
    }
    return delay;
  }

  private maxCredits(): number {
    return Math.max(1, (this.spec.sizeGiB * GiB) / TiB) * MAX_BURST_CREDITS_PER_TIB;
  }

  /** Credits accrue at the baseline rate all the time; operations spend their metered bytes. */
  private settle(): void {
    const now = this.now();
    if (now <= this.settledAt) return;
    if (this.spec.throughputMode === "bursting") {
      this.credits = Math.min(this.maxCredits(), this.credits + (this.baselineRate() * (now - this.settledAt)) / 1000);
    }
    this.settledAt = now;
  }

  private record(clientId: string, op: EfsOperation, ioBytes: number, metered: number): void {
    const u = this.minuteUsage();
    if (op === "read") u.dataRead.push(ioBytes);
    else if (op === "write") u.dataWrite.push(ioBytes);
    else u.metadata.push(ioBytes);
    if (op === "write") u.writeOps++;
    else u.readOps++;
    u.metered += metered;
    u.clients.add(clientId);
  }

  private minuteUsage(): MinuteUsage {
    this.flush();
    const minute = minuteStart(this.now());
    this.usage ??= { minute, dataRead: [], dataWrite: [], metadata: [], metered: 0, readOps: 0, writeOps: 0, clients: new Set() };
    return this.usage;
  }
}

function minuteStart(t: number): number {
  return Math.floor(t / 60_000) * 60_000;
}
