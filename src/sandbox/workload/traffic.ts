/**
 * The web workload's front door: for each load-balanced service, a request log, the load
 * generator and the target group its tasks register with. Requests are synchronous kernel
 * events; the ALB answers 503 when it has no target to route to and 502 when the target refuses,
 * fails or is dead; a request that waits longer than the idle timeout gets 504.
 *
 * The object is structurally the engine's TrafficPort (services, drive, stats).
 */
import type { Random } from "../../random/random.js";
import type { Kernel } from "../kernel.js";
import type { Timers } from "../timers.js";
import type { AppSpec } from "../stack/ecs.js";
import type { LoadStage } from "../stack/workload.js";
import { LoadGenerator } from "./load-generator.js";
import { RequestLog, type WindowStats } from "./request-log.js";
import type { TargetGroup } from "./target-group.js";
import { WebApp } from "./web-app.js";

interface Front {
  group: TargetGroup;
  log: RequestLog;
  generator: LoadGenerator;
  apps: Set<WebApp>;
}

export class Traffic {
  private readonly fronts = new Map<string, Front>();

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly random: Random,
  ) {}

  /** Declares a load-balanced service; `stages` is its offered load (none: idle until driven). */
  addService(service: string, group: TargetGroup, stages: readonly LoadStage[] = []): void {
    const log = new RequestLog(this.kernel.now());
    const generator = new LoadGenerator(stages, this.kernel.now(), this.timers, this.random.fork(`load:${service}`), (t) => {
      const target = group.route();
      if (!target) {
        log.record(t, 0, 503);
        return;
      }
      target.lastRequestAt = t;
      target.app.accept(t);
    });
    this.fronts.set(service, { group, log, generator, apps: new Set() });
  }

  /** A new web app for one of `service`'s tasks, reporting its requests to the service's log. */
  createApp(service: string, spec: AppSpec, random: Random): WebApp {
    const front = this.front(service);
    const idle = front.group.spec.idleTimeout;
    const log = front.log;
    const app = new WebApp(spec, random, (arrived, ended, answered) => {
      const latency = ended - arrived;
      if (!answered) log.record(ended, latency, 502);
      else if (latency > idle) log.record(arrived + idle, idle, 504);
      else log.record(ended, latency, 200);
    });
    front.apps.add(app);
    return app;
  }

  /** The app's process has ended; its requests are all accounted for. */
  releaseApp(service: string, app: WebApp): void {
    this.fronts.get(service)?.apps.delete(app);
  }

  group(service: string): TargetGroup | undefined {
    return this.fronts.get(service)?.group;
  }

  start(): void {
    for (const f of this.fronts.values()) f.generator.start();
  }

  stop(): void {
    for (const f of this.fronts.values()) f.generator.stop();
  }

  // TrafficPort

  services(): string[] {
    return [...this.fronts.keys()];
  }

  drive(service: string, rps: number): void {
    this.front(service).generator.raise(rps);
  }

  stats(service: string, from: number, to: number): WindowStats {
    const front = this.front(service);
    if (!(to >= from)) throw new RangeError(`stats: expected from <= to, found from ${from} and to ${to}`);
    const now = this.kernel.now();
    front.generator.catchUp();
    for (const app of front.apps) app.advance(now);
    return front.log.stats(from, to);
  }

  /** Offered rate now, in requests per second. */
  offeredRate(service: string): number {
    return this.front(service).generator.rateAt(this.kernel.now());
  }

  private front(service: string): Front {
    const f = this.fronts.get(service);
    if (!f) {
      const known = [...this.fronts.keys()];
      throw new Error(`traffic: expected a load-balanced service (${known.length ? known.join(", ") : "none in this stack"}), found "${service}"`);
    }
    return f;
  }
}
