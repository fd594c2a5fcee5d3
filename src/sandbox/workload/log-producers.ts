/**
 * Log producers: each running task of a service the stack's `logging` section names writes log
 * lines at a steady rate into a shipper that runs in the task (a sidecar process). The shipper is
 * not the sandbox's: it comes from a factory the composition root passes in (gameday's own
 * pipeline, over the AWS SDK, in the CLI), so the sandbox stays an imitation of AWS and the
 * shipper under test is the one users run. The sandbox only drives it: lines while the task runs,
 * SIGTERM when the task is stopped, and the end of the process (gracefully, SIGKILL, or with its
 * host).
 */
import type { Kernel } from "../kernel.js";
import { putEmf } from "../metrics/emf.js";
import { discardMetrics, type MetricSink } from "../services/cloudwatch/sink.js";
import type { Timers } from "../timers.js";
import type { Task, TaskProcess } from "../services/ecs/model.js";
import type { LoggingSpec, ShipperSettings } from "../stack/logging.js";
import type { SubnetSpec } from "../stack/network.js";

/** Everything a factory needs to build one task's shipper. */
export interface LogProducerSpec {
  taskId: string;
  taskArn: string;
  service: string;
  cluster: string;
  /** The EC2 host, or undefined on Fargate (whose storage dies with the task). */
  instanceId: string | undefined;
  az: string;
  subnet: string;
  stream: string;
  region: string;
  /** The IAM role the shipper signs as, and one of its access key ids. */
  role: string | undefined;
  accessKeyId: string | undefined;
  shipper: ShipperSettings;
  /**
   * Where the shipper's embedded-metric-format lines go: the task's log, from which CloudWatch
   * Logs extracts the metrics into the sandbox's CloudWatch.
   */
  emf?: (line: string) => void;
}

/** One task's shipper, as the sandbox drives it. */
export interface LogProducer {
  /**
   * One burst of the task's log lines, handed over at once as pino's transport hands its buffer
   * (Shipper.writeLines): what the shipper spools, it spools in one append, not one per line.
   */
  writeLines(lines: readonly string[]): void;
  /** The task got SIGTERM: flush or spool what is in memory. */
  sigterm(): void;
  /** The process is gone; `graceful` when it exited on its own after SIGTERM. */
  exit(graceful: boolean): void;
}

export interface LogProducerFactory {
  create(spec: LogProducerSpec): LogProducer;
  /** An EC2 host was terminated: what its disk held (spools) is gone. */
  hostGone(instanceId: string): void;
}

export class LogProducers {
  private readonly byService = new Map<string, LoggingSpec>();

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    logging: readonly LoggingSpec[],
    private readonly roles: readonly { name: string; accessKeyIds: string[] }[],
    private readonly subnets: readonly SubnetSpec[],
    private readonly factory: LogProducerFactory,
    private readonly metrics: MetricSink = discardMetrics,
  ) {
    for (const l of logging) this.byService.set(l.service, l);
  }

  /** The sidecar processes a new task runs: a log producer when its service logs. */
  forTask(task: Task): TaskProcess[] {
    const spec = task.service ? this.byService.get(task.service.name) : undefined;
    if (!spec || !task.service) return [];
    return [new ProducerProcess(this.kernel, this.timers, spec, this.specFor(task, spec), this.factory)];
  }

  hostGone(instanceId: string): void {
    this.factory.hostGone(instanceId);
  }

  private specFor(task: Task, l: LoggingSpec): LogProducerSpec {
    const role = l.role === undefined ? undefined : this.roles.find((r) => r.name === l.role);
    const subnet = this.subnets.find((s) => s.az === task.availabilityZone);
    return {
      taskId: task.id,
      taskArn: task.arn,
      service: l.service,
      cluster: task.cluster.name,
      instanceId: task.containerInstance?.instance.id,
      az: task.availabilityZone,
      subnet: subnet?.id ?? "",
      stream: l.stream,
      region: this.kernel.region,
      role: l.role,
      accessKeyId: role?.accessKeyIds[0],
      shipper: l.shipper,
      emf: (line) => void putEmf(this.metrics, line),
    };
  }
}

/** How often a task's logger hands its lines to the shipper: the simulation's granularity. */
const WRITE_EVERY_MS = 5_000;

const MESSAGES = ["GET /orders 200", "POST /orders 201", "GET /health 200", "GET /orders/:id 200", "cache refreshed"];

class ProducerProcess implements TaskProcess {
  /** What FIS aws:ecs:task-kill-process kills by name (sandbox/services/ecs/kill-process.ts). */
  readonly name: string;
  private producer: LogProducer | undefined;
  private stopTicking: (() => void) | undefined;
  private carry = 0;
  private n = 0;
  /** What follows `"n":<n>` in a line, per message: built once, so a line is three pieces, not a dozen. */
  private readonly tails: string[];

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly logging: LoggingSpec,
    private readonly spec: LogProducerSpec,
    private readonly factory: LogProducerFactory,
  ) {
    // The fixed part of a line is about 130 bytes; padding brings it to lineBytes.
    const pad = "x".repeat(Math.max(0, logging.lineBytes - 130));
    this.tails = MESSAGES.map((msg) => `,"msg":"${msg}","pad":"${pad}"}`);
    this.name = logging.process;
  }

  start(): void {
    this.producer = this.factory.create(this.spec);
    // Lines are written in bursts every few seconds: as many timer events (and PutRecords calls,
    // each a real SDK call) as bursts, not as lines. The shipper starts its calls from write(): a
    // waking timer lets them run before time moves on.
    this.stopTicking = this.timers.every(WRITE_EVERY_MS, () => this.tick(), WRITE_EVERY_MS, true);
  }

  sigterm(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    this.producer?.sigterm();
  }

  exit(_at: number, graceful: boolean): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    this.producer?.exit(graceful);
    this.producer = undefined;
  }

  private tick(): void {
    const producer = this.producer;
    if (!producer) return;
    this.carry += (this.logging.linesPerSecond * WRITE_EVERY_MS) / 1000;
    const lines = Math.floor(this.carry);
    this.carry -= lines;
    if (lines === 0) return;
    const head = `{"level":30,"time":${this.kernel.now()},"service":"${this.spec.service}","task":"${this.spec.taskId.slice(0, 12)}","n":`;
    const burst: string[] = new Array(lines);
    for (let i = 0; i < lines; i++) {
      const n = this.n++;
      burst[i] = head + n + this.tails[n % MESSAGES.length]!;
    }
    producer.writeLines(burst);
  }
}
