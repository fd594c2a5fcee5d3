/**
 * The viewers of a CloudFront distribution: an open-model load generator (the stack's `load:`
 * under the distribution's name, raised by drive()) whose arrivals each GET a path drawn from the
 * distribution's viewerPaths by weight (pages and static assets). What they measured is published
 * as the Gameday/LoadGenerator metrics by { Service: <distribution name> }, exactly as the ALB
 * stacks' load is, so http-slo's readers and the wordpress probe read the viewer's side.
 */
import type { Random } from "../../random/random.js";
import type { Kernel } from "../kernel.js";
import type { Timers } from "../timers.js";
import type { MetricSink } from "../services/cloudwatch/sink.js";
import type { LoadStage } from "../stack/workload.js";
import type { Distribution } from "../services/cloudfront/distribution.js";
import { LoadMetrics } from "../../load/metrics.js";
import { LoadGenerator } from "./load-generator.js";

export class Viewers {
  private readonly generator: LoadGenerator;
  private readonly load: LoadMetrics;
  private readonly paths: readonly string[];
  private readonly cumulative: readonly number[];
  private readonly pick: Random;
  /** Requests sent and not yet answered. */
  inFlight = 0;

  constructor(
    readonly name: string,
    private readonly kernel: Kernel,
    timers: Timers,
    random: Random,
    private readonly distribution: Distribution,
    stages: readonly LoadStage[],
    sink: MetricSink,
  ) {
    this.load = new LoadMetrics(sink, { dimensions: { Service: name }, periodMs: 1000 });
    this.generator = new LoadGenerator(stages, kernel.now(), timers, random.fork("arrivals"), (t) => this.arrive(t));
    this.pick = random.fork("paths");
    const weights = distribution.spec.viewerPaths;
    const total = weights.reduce((n, w) => n + w.weight, 0);
    let sum = 0;
    this.paths = weights.map((w) => w.path);
    this.cumulative = weights.map((w) => (sum += w.weight / total));
  }

  start(): void {
    this.generator.start();
  }

  stop(): void {
    this.generator.stop();
  }

  /** Raises the offered rate to at least `rps`. */
  drive(rps: number): void {
    this.generator.raise(rps);
  }

  /** Puts the seconds that ended by now (the sandbox's CloudWatch calls this before it answers a read). */
  publishLoad(): void {
    this.generator.catchUp();
    this.load.flush(this.kernel.now());
  }

  private arrive(t: number): void {
    const draw = this.pick.next();
    const path = this.paths[this.cumulative.findIndex((c) => draw < c)] ?? this.paths[this.paths.length - 1]!;
    this.inFlight++;
    void this.distribution.get(path).then((r) => {
      this.inFlight--;
      const now = this.kernel.now();
      this.load.record(now, { status: r.status, latencyMs: now - t });
    });
  }
}
