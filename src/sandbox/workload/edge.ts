/**
 * The stack's edge: its HTTP APIs (each invoking a function of the sandbox's Lambda), its CloudFront
 * distributions in front of them, and their viewers. Publishes AWS/ApiGateway and AWS/CloudFront
 * every minute, and the viewers' load before every CloudWatch read. As a traffic front it names the
 * distributions and drives their viewers, so probes drive and read them as they do a load balancer.
 */
import type { Random } from "../../random/random.js";
import type { Kernel } from "../kernel.js";
import type { Timers } from "../timers.js";
import type { MetricSink } from "../services/cloudwatch/sink.js";
import type { LambdaService } from "../services/lambda/service.js";
import type { Stack } from "../stack/schema.js";
import { HttpApi } from "../services/apigateway/http-api.js";
import { Distribution } from "../services/cloudfront/distribution.js";
import { everyMinute } from "../metrics/period.js";
import { Viewers } from "./viewers.js";

export class Edge {
  readonly httpApis = new Map<string, HttpApi>();
  readonly distributions = new Map<string, Distribution>();
  readonly viewers = new Map<string, Viewers>();
  private stopMinutes: (() => void) | undefined;

  constructor(
    stack: Stack,
    kernel: Kernel,
    private readonly timers: Timers,
    random: Random,
    lambda: LambdaService | undefined,
    sink: MetricSink,
  ) {
    for (const spec of stack.httpApis) {
      // The stack's checks make sure the function exists, hence Lambda too.
      this.httpApis.set(spec.name, new HttpApi(spec, kernel, lambda!, sink));
    }
    for (const spec of stack.distributions) {
      const d = new Distribution(spec, kernel, this.httpApis.get(spec.origin.httpApi)!, sink);
      this.distributions.set(spec.name, d);
      this.viewers.set(spec.name, new Viewers(spec.name, kernel, timers, random.fork(`viewers:${spec.name}`), d, stack.load[spec.name] ?? [], sink));
    }
  }

  start(): void {
    for (const v of this.viewers.values()) v.start();
    if (this.httpApis.size > 0) this.stopMinutes = everyMinute(this.timers, () => this.publishMinute());
  }

  stop(): void {
    for (const v of this.viewers.values()) v.stop();
    this.stopMinutes?.();
    this.stopMinutes = undefined;
  }

  /** The viewers' seconds that ended by now. */
  publishLoad(): void {
    for (const v of this.viewers.values()) v.publishLoad();
  }

  // A traffic front: the distributions by name.

  services(): string[] {
    return [...this.viewers.keys()];
  }

  drive(name: string, rps: number): void {
    const v = this.viewers.get(name);
    if (!v) throw new Error(`traffic: expected a distribution (${this.services().join(", ") || "none in this stack"}), found "${name}"`);
    v.drive(rps);
  }

  private publishMinute(): void {
    for (const a of this.httpApis.values()) a.flush();
    for (const d of this.distributions.values()) d.flush();
  }
}
