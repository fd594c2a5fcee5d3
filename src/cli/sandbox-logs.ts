/**
 * Composition: the sandbox's logging tasks run gameday's real shipper (src/pipeline), talking to
 * the sandbox's Kinesis through a real SDK KinesisClient on the in-process transport, signed with
 * their IAM role's access key and tagged with their subnet (so role- and subnet-scoped FIS faults
 * reach them as they would on AWS). Each task's shipper has its own process clock, so that a task
 * killed by SIGKILL or by its host's termination stops at once. Spools live on a per-run scratch
 * disk, per host: a new task of the service on the same host takes over a dead one's spool and
 * replays it (a host volume, as a daemonset log agent would use); a terminated host's disk is gone.
 * Probes see none of this directly: they read the stream and the shippers' EMF metrics, as on AWS.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { KinesisClient, KinesisClientConfig } from "@aws-sdk/client-kinesis";
import { InProcessHandler, trimForInProcess, type LocalDispatch } from "../aws/in-process-handler.js";
import { LOCAL_CREDENTIALS, selfContainedConfig } from "../aws/clients.js";
import { Shipper } from "../pipeline/shipper.js";
import { kinesisPortFromClient } from "../pipeline/kinesis-port.js";
import type { ShipperEvent, ShipperOptions } from "../pipeline/options.js";
import type { Random } from "../random/random.js";
import { whileHolding, type Clock } from "../time/clock.js";
import { ProcessClock } from "../time/process-clock.js";
import { makeSpoolRoot } from "./spool-scratch.js";
import type { LogProducer, LogProducerFactory, LogProducerSpec } from "../sandbox/workload/log-producers.js";
// Which subnet a call comes from: the sandbox's network faults read it.
import { CALLER_SUBNET_HEADER } from "../sandbox/services/kinesis/index.js";
import { count } from "./plural.js";

/**
 * How often the sandbox's shippers publish their metrics (high resolution below a minute). Every
 * 5 s: a probe sees a breaker open within seconds, and the 17-hour outage's peak RSS stays where it
 * was (every second cost it ~450 MiB of 1-second buckets, measured with bench/whole-process.mjs).
 */
export const SHIPPER_METRICS_INTERVAL_MS = 5_000;

interface Spool {
  dir: string;
  host: string;
  service: string;
  owner: Producer | undefined;
}

interface Producer {
  shipper: Shipper;
  clock: ProcessClock;
  spool: Spool;
  alive: boolean;
}

export class SandboxLogShipping implements LogProducerFactory {
  private readonly root: string;
  private readonly running: Producer[] = [];
  private readonly spools: Spool[] = [];
  /** Receives each shipper's events (breaker changes, give-ups, drops), for the timeline. */
  onEvent: (source: string, kind: string, message: string) => void = () => {};

  private constructor(
    private readonly kinesisClient: typeof KinesisClient,
    private readonly dispatch: LocalDispatch,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.root = makeSpoolRoot();
  }

  /** Loads the SDK's Kinesis client first (real I/O), so creating shippers later is synchronous. */
  static async create(dispatch: LocalDispatch, clock: Clock, random: Random): Promise<SandboxLogShipping> {
    // Loading a module is real I/O: virtual time must stand still meanwhile.
    const { KinesisClient } = await whileHolding(clock, () => import("../aws/sdk/kinesis.js"));
    return new SandboxLogShipping(KinesisClient, dispatch, clock, random);
  }

  create(spec: LogProducerSpec): LogProducer {
    const clock = new ProcessClock(this.clock);
    const spool = this.spoolFor(spec);
    const client = this.client(spec, clock);
    const s = spec.shipper;
    let breaker = "closed";
    const options: ShipperOptions = {
      clock,
      random: this.random.fork(`shipper:${spec.taskId}`),
      kinesis: kinesisPortFromClient(client, spec.stream),
      host: spec.instanceId ?? spec.taskId.slice(0, 12),
      // No spool at all is not an option of gameday's shipper; a spool that holds nothing is the
      // same thing: whatever cannot be delivered or kept in memory is dropped (and counted).
      spool: s.spool === false ? { dir: spool.dir, maxBytes: 1 } : { dir: spool.dir, ...definedOnly(s.spool) },
      ...(s.memory ? { memory: definedOnly(s.memory) } : {}),
      ...(s.replay ? { replay: definedOnly({ ratePerSec: s.replay.ratePerSec, startJitterMs: s.replay.startJitter }) } : {}),
      ...(s.requestTimeout !== undefined ? { requestTimeoutMs: s.requestTimeout } : {}),
      // Its own metrics as EMF, into the task's log (and from there the sandbox's CloudWatch), every
      // few seconds at high resolution: a probe reading every few seconds sees the breaker and spool now.
      ...(spec.emf ? { metrics: { stream: spec.stream, write: spec.emf, intervalMs: SHIPPER_METRICS_INTERVAL_MS } } : {}),
      onEvent: (e) => {
        // Through a long outage the breaker goes half-open and back again and again, and each
        // failed probe "gives up": trace only what tells the story (opening, closing, losses).
        if (e.type === "breaker") {
          breaker = e.to;
          if (e.to !== "closed" && e.from !== "closed") return;
        }
        if (e.type === "gave-up" && (e.reason === "aborted" || breaker !== "closed")) return;
        this.onEvent(`shipper:${spec.taskId.slice(0, 12)}`, e.type, describeEvent(e));
      },
    };
    const producer: Producer = { shipper: new Shipper(options), clock, spool, alive: true };
    spool.owner = producer;
    this.running.push(producer);
    return {
      writeLines: (lines) => {
        if (producer.alive) producer.shipper.writeLines(lines);
      },
      sigterm: () => {
        void producer.shipper.close().catch(() => undefined);
      },
      exit: () => this.exit(producer),
    };
  }

  hostGone(instanceId: string): void {
    for (const spool of this.spools.filter((s) => s.host === instanceId)) {
      if (spool.owner?.alive) this.exit(spool.owner);
      spool.owner = undefined;
      rmSync(spool.dir, { recursive: true, force: true });
      this.spools.splice(this.spools.indexOf(spool), 1);
    }
  }

  /** Removes the scratch disk. */
  close(): void {
    for (const p of this.running) p.clock.kill();
    rmSync(this.root, { recursive: true, force: true });
  }

  // -- internals -------------------------------------------------------------------------------

  private exit(p: Producer): void {
    if (!p.alive) return;
    p.alive = false;
    p.clock.kill();
    // Whatever it spooled stays on the host's disk for a successor; what was only in memory is gone.
    p.spool.owner = undefined;
  }

  /** A dead producer's spool on the same host for the same service, or a new one. */
  private spoolFor(spec: LogProducerSpec): Spool {
    const host = spec.instanceId ?? `fargate-${spec.taskId}`;
    const free = spec.instanceId ? this.spools.find((s) => s.host === host && s.service === spec.service && !s.owner) : undefined;
    if (free) return free;
    const hostDir = join(this.root, host);
    mkdirSync(hostDir, { recursive: true });
    const n = existsSync(hostDir) ? readdirSync(hostDir).length : 0;
    const spool: Spool = { dir: join(hostDir, `${spec.service}-${n}`), host, service: spec.service, owner: undefined };
    this.spools.push(spool);
    return spool;
  }

  private client(spec: LogProducerSpec, clock: Clock): KinesisClient {
    const subnet = spec.subnet;
    const dispatch: LocalDispatch = (req) => this.dispatch({ ...req, headers: { ...req.headers, [CALLER_SUBNET_HEADER]: subnet } });
    const config: KinesisClientConfig = {
      // Nothing left for the SDK to read from ~/.aws on the first call (real I/O under virtual time).
      ...selfContainedConfig(),
      region: spec.region,
      endpoint: "https://sandbox.gameday.local",
      credentials: { accessKeyId: spec.accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
      // The shipper is the one retry layer for its calls (see src/pipeline/shipper.ts).
      maxAttempts: 1,
      requestHandler: new InProcessHandler(dispatch, clock, (spec.shipper.requestTimeout ?? 5_000) + 1_000),
    };
    const client = new this.kinesisClient(config);
    trimForInProcess(client);
    return client;
  }
}

function describeEvent(e: ShipperEvent): string {
  switch (e.type) {
    case "breaker":
      return `breaker ${e.from} -> ${e.to}`;
    case "gave-up":
      return `gave up on ${count(e.records, "record")} (${e.reason}): ${e.error}`;
    case "dead-letter":
      return `${count(e.records, "record")} to the dead-letter file (${e.reason}): ${e.detail}`;
    case "dropped":
      return `dropped ${count(e.records, "record")}: ${e.reason}`;
    case "secondary-failed":
      return `secondary sink failed for ${count(e.records, "record")}: ${e.error}`;
    case "io-error":
      return `disk error during ${e.during}: ${e.error}`;
  }
}

/** Drops undefined values, for options types that forbid them (exactOptionalPropertyTypes). */
function definedOnly<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
