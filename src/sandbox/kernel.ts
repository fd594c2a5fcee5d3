/**
 * What every part of the sandbox shares: the clock, the random source, the account and region,
 * deterministic identifiers, the event bus (EventBridge-shaped events that services emit) and a
 * trace of notable happenings for timelines and tests. The kernel imports nothing of the engine.
 */
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";

/** An EventBridge event, exactly as AWS delivers it to a rule target. */
export interface AwsEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type EventListener = (event: AwsEvent) => void;

export interface TraceEntry {
  at: number;
  /** The service or actor: "ec2", "ecs", "fis", "alb", "events", "kinesis", "handler:<name>". */
  source: string;
  /** A short machine-readable kind: "spot-notice", "task-state", "instance-state", ... */
  kind: string;
  message: string;
  detail?: Record<string, unknown>;
}

export class EventBus {
  private readonly listeners: EventListener[] = [];
  subscribe(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
  publish(event: AwsEvent): void {
    for (const l of this.listeners.slice()) l(event);
  }
}

export class Trace {
  /**
   * A ring: once full, each entry overwrites the oldest in place. (Removing the oldest from the
   * front of an array moves all 100,000 others, once per entry, for the rest of a long run.)
   */
  private readonly ring: TraceEntry[] = [];
  /** Where the oldest entry sits once the ring is full; 0 until then. */
  private oldest = 0;
  private readonly listeners: ((e: TraceEntry) => void)[] = [];
  /** Keeps the newest `limit` entries so a 17-hour virtual run cannot grow memory without bound. */
  constructor(private readonly limit = 100_000) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a trace keeps at least one entry, not ${limit}`);
  }
  /** The entries kept, oldest first (a copy). */
  get entries(): TraceEntry[] {
    return this.oldest === 0 ? this.ring.slice() : [...this.ring.slice(this.oldest), ...this.ring.slice(0, this.oldest)];
  }
  record(entry: TraceEntry): void {
    if (this.ring.length < this.limit) this.ring.push(entry);
    else {
      this.ring[this.oldest] = entry;
      this.oldest = (this.oldest + 1) % this.limit;
    }
    for (const l of this.listeners) l(entry);
  }
  onRecord(listener: (e: TraceEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}

export interface KernelOptions {
  clock: Clock;
  random: Random;
  region?: string;
  accountId?: string;
}

export class Kernel {
  readonly clock: Clock;
  readonly random: Random;
  readonly region: string;
  readonly accountId: string;
  readonly bus = new EventBus();
  readonly trace = new Trace();
  private readonly idRandom: Random;

  constructor(options: KernelOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.region = options.region ?? "us-east-1";
    this.accountId = options.accountId ?? "123456789012";
    this.idRandom = options.random.fork("ids");
  }

  now(): number {
    return this.clock.now();
  }

  iso(at = this.clock.now()): string {
    return new Date(at).toISOString();
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  /** `len` lowercase hex digits from the sandbox's id stream. */
  hex(len: number): string {
    let out = "";
    while (out.length < len) out += this.idRandom.int(0, 0xffff).toString(16).padStart(4, "0");
    return out.slice(0, len);
  }

  uuid(): string {
    return this.idRandom.uuid();
  }

  /** Publishes an EventBridge event with the envelope AWS puts around `detail`. */
  emit(source: string, detailType: string, detail: Record<string, unknown>, resources: string[] = []): AwsEvent {
    const event: AwsEvent = {
      version: "0",
      id: this.uuid(),
      "detail-type": detailType,
      source,
      account: this.accountId,
      time: new Date(Math.floor(this.clock.now() / 1000) * 1000).toISOString().replace(".000Z", "Z"),
      region: this.region,
      resources,
      detail,
    };
    this.bus.publish(event);
    return event;
  }

  record(source: string, kind: string, message: string, detail?: Record<string, unknown>): void {
    this.trace.record(detail ? { at: this.clock.now(), source, kind, message, detail } : { at: this.clock.now(), source, kind, message });
  }
}
