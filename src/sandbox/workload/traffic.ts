/**
 * The web workload's front door: for each load-balanced service, a request log, the load
 * generator and the target group its tasks register with. Requests are synchronous kernel
 * events; the ALB answers 503 when it has no target to route to and 502 when the target refuses,
 * fails or is dead; a request that waits longer than the idle timeout gets 504.
 *
 * The object is structurally the engine's TrafficPort (services, drive). Given a MetricSink, it
 * publishes what the ALB would to CloudWatch (AWS/ApplicationELB, see metrics/alb.ts) and what the
 * load generator measured, exactly as the real one does (Gameday/LoadGenerator per second, by
 * { Service }, see load/metrics.ts): that is what http-slo reads, on this target as on any other.
 */
import type { Random } from "../../random/random.js";
import type { Kernel } from "../kernel.js";
import { LoadMetrics } from "../../load/metrics.js";
import { AlbMetrics, albIdentity, type HostCount } from "../metrics/alb.js";
import { everyMinute } from "../metrics/period.js";
import type { MetricSink } from "../services/cloudwatch/sink.js";
import type { Timers } from "../timers.js";
import type { AppSpec } from "../stack/ecs.js";
import type { LoadStage } from "../stack/workload.js";
import { LoadGenerator } from "./load-generator.js";
import { RequestLog, type WindowStats } from "./request-log.js";
import type { TargetGroup } from "./target-group.js";
import { WebApp, type RequestWatcher } from "./web-app.js";

interface Front {
  group: TargetGroup;
  /** Every request's outcome, for the sandbox's own tests and benches; absent unless asked for (TrafficOptions.requestLog). */
  log: RequestLog | undefined;
  generator: LoadGenerator;
  apps: Set<WebApp>;
  /** The zone each live app's task runs in, and every zone that has had one (health counts report zeros there). */
  zoneOf: Map<WebApp, string>;
  zones: Set<string>;
  alb: AlbMetrics | undefined;
  /** What the load generator measured, per second (the real generator's metrics). */
  load: LoadMetrics | undefined;
}

export interface TrafficOptions {
  /**
   * Keep every request's completion time, latency and status, which stats() reads: the sandbox's
   * own tests and benches ask for it. Off by default: probes read CloudWatch, and a run paid for
   * a write per request (and 3 hours of them in memory) that nothing read.
   */
  requestLog?: boolean;
}

export class Traffic {
  private readonly fronts = new Map<string, Front>();
  private stopMetrics: (() => void) | undefined;
  /** Other front doors the port drives by name (CloudFront distributions' viewers). */
  private readonly attached: { services(): string[]; drive(name: string, rps: number): void }[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly random: Random,
    /** Where the ALB's CloudWatch metrics go; none: not published. */
    private readonly metrics?: MetricSink,
    private readonly options: TrafficOptions = {},
  ) {}

  /** Declares a load-balanced service; `stages` is its offered load (none: idle until driven). */
  addService(service: string, group: TargetGroup, stages: readonly LoadStage[] = []): void {
    const log = this.options.requestLog ? new RequestLog(this.kernel.now()) : undefined;
    const alb = this.metrics ? new AlbMetrics(this.metrics, albIdentity(group.arn)) : undefined;
    // Arrivals come after start(), by when `front` is set.
    const generator = new LoadGenerator(stages, this.kernel.now(), this.timers, this.random.fork(`load:${service}`), (t) => this.admit(front, t));
    const load = this.metrics ? new LoadMetrics(this.metrics, { dimensions: { Service: service }, periodMs: 1000 }) : undefined;
    const front: Front = { group, log, generator, apps: new Set(), zoneOf: new Map(), zones: new Set(), alb, load };
    if (alb) group.onHealthChange(() => alb.hosts(this.kernel.now(), hostCounts(front)));
    this.fronts.set(service, front);
  }

  /** A new web app for one of `service`'s tasks (running in `zone`), reporting its requests to the service's log. */
  createApp(service: string, spec: AppSpec, random: Random, zone: string, vcpus = 1): WebApp {
    const front = this.front(service);
    const idle = front.group.spec.idleTimeout;
    const log = front.log;
    const alb = front.alb;
    const load = front.load;
    // nginx's proxy_read_timeout, when it runs out before the load balancer's idle timeout does.
    const readTimeout = spec.proxy && spec.proxy.readTimeout < idle ? spec.proxy.readTimeout : undefined;
    const app = new WebApp(spec, random, (arrived, ended, answered, watcher, proxyRefused) => {
      const latency = ended - arrived;
      // Gameday/LoadGenerator is what the simulated generator measured; a request with a watcher
      // came over a served ALB port from a real client, which publishes its own measurements.
      if (answered && !proxyRefused && !(latency > idle) && (readTimeout === undefined || !(latency > readTimeout))) {
        // Answered in time, nearly every request: tested first.
        log?.record(ended, latency, 200);
        if (!watcher) load?.recordStatus(ended, 200, latency);
        alb?.targetResponse(ended, zone, 200, latency);
        watcher?.answered(200, latency);
      } else if (proxyRefused || (readTimeout !== undefined && latency > readTimeout)) {
        // The task's proxy answered with its own error page: a target response to the ALB.
        const status = proxyRefused ? 502 : 504;
        const at = proxyRefused ? ended : arrived + readTimeout!;
        log?.record(at, at - arrived, status);
        if (!watcher) load?.recordStatus(at, status, at - arrived);
        alb?.targetResponse(at, zone, status, at - arrived);
        watcher?.answered(status, at - arrived);
      } else if (!answered) {
        log?.record(ended, latency, 502);
        if (!watcher) load?.recordStatus(ended, 502, latency);
        // Refused at once: the connection to the target was never made.
        alb?.elbError(ended, zone, 502, ended === arrived);
        watcher?.answered(502, latency);
      } else {
        // Answered after the load balancer's idle timeout ran out.
        log?.record(arrived + idle, idle, 504);
        if (!watcher) load?.recordStatus(arrived + idle, 504, idle);
        alb?.elbError(arrived + idle, zone, 504);
        watcher?.answered(504, idle);
      }
    }, vcpus);
    front.apps.add(app);
    front.zoneOf.set(app, zone);
    front.zones.add(zone);
    return app;
  }

  /** The app's process has ended; its requests are all accounted for. */
  releaseApp(service: string, app: WebApp): void {
    const front = this.fronts.get(service);
    front?.apps.delete(app);
    front?.zoneOf.delete(app);
  }

  group(service: string): TargetGroup | undefined {
    return this.fronts.get(service)?.group;
  }

  start(): void {
    for (const f of this.fronts.values()) f.generator.start();
    if (this.metrics && this.fronts.size > 0) {
      const now = this.kernel.now();
      for (const f of this.fronts.values()) f.alb?.hosts(now, hostCounts(f));
      this.stopMetrics = everyMinute(this.timers, () => this.publishMinute());
    }
  }

  stop(): void {
    for (const f of this.fronts.values()) f.generator.stop();
    this.stopMetrics?.();
    this.stopMetrics = undefined;
  }

  // TrafficPort

  services(): string[] {
    return [...this.fronts.keys(), ...this.attached.flatMap((a) => a.services())];
  }

  drive(service: string, rps: number): void {
    const other = this.attached.find((a) => a.services().includes(service));
    if (other) return other.drive(service, rps);
    this.front(service).generator.raise(rps);
  }

  /** The services behind a load balancer (services() also names the attached front doors). */
  loadBalanced(): string[] {
    return [...this.fronts.keys()];
  }

  /** Adds another front door (the stack's distributions) to what services() names and drive() drives. */
  attach(front: { services(): string[]; drive(name: string, rps: number): void }): void {
    this.attached.push(front);
  }

  /**
   * Completed requests in [from, to), from the request log: for the sandbox's own tests and benches
   * (probes read CloudWatch). Only with the request log on (TrafficOptions.requestLog).
   */
  stats(service: string, from: number, to: number): WindowStats {
    const front = this.front(service);
    if (!front.log) throw new Error(`traffic: stats("${service}") reads the request log, which is off: create the sandbox with requestLog: true (probes read CloudWatch instead)`);
    if (!(to >= from)) throw new RangeError(`stats: expected from <= to, found from ${from} and to ${to}`);
    this.retire(front, this.kernel.now());
    return front.log.stats(from, to);
  }

  /**
   * Puts the load generator's seconds that ended by now, after retiring every request that finished
   * by now: the sandbox's CloudWatch calls this before it answers a read, so a reading sees every
   * whole second up to the moment it is taken (the real generator puts each second as it ends).
   */
  publishLoad(): void {
    const now = this.kernel.now();
    for (const f of this.fronts.values()) {
      if (!f.load) continue;
      this.retire(f, now);
      f.load.flush(now);
    }
  }

  /**
   * A request from outside (an HTTP client of the served sandbox) arriving now at `service`'s load
   * balancer: routed, logged and published exactly as the load generator's are; `watcher` hears
   * when a thread takes it and what the load balancer answered. Returns the app that took it (its
   * end is noticed when someone next advances it), or undefined when the ALB answered at once.
   */
  arrive(service: string, watcher: RequestWatcher): WebApp | undefined {
    return this.admit(this.front(service), this.kernel.now(), watcher);
  }

  /** Offered rate now, in requests per second. */
  offeredRate(service: string): number {
    return this.front(service).generator.rateAt(this.kernel.now());
  }

  /** At a minute's start: retire what finished by now, put the minutes that ended, sample target health. */
  private publishMinute(): void {
    const now = this.kernel.now();
    for (const f of this.fronts.values()) {
      this.retire(f, now);
      f.alb?.flush(now);
      f.load?.flush(now);
      f.alb?.hosts(now, hostCounts(f));
    }
  }

  /** One arrival at the load balancer at `t`: 503 with no target to route to, else to a target's app. */
  private admit(front: Front, t: number, watcher?: RequestWatcher): WebApp | undefined {
    const max = front.group.spec.maxConnections;
    if (max !== undefined && this.openConnections(front, t) >= max) {
      // Rejected before any request is read: no HTTP status, no request in the log.
      if (!watcher) front.load?.recordError(t, "refused");
      front.alb?.rejectedConnection(t);
      watcher?.rejected?.();
      return undefined;
    }
    const target = front.group.route();
    if (!target) {
      front.log?.record(t, 0, 503);
      if (!watcher) front.load?.recordStatus(t, 503, 0);
      front.alb?.elbError(t, undefined, 503);
      watcher?.answered(503, 0);
      return undefined;
    }
    target.lastRequestAt = t;
    target.app.accept(t, watcher);
    return target.app;
  }

  /** Requests in flight at the load balancer (each holds a client connection); only with maxConnections, as it visits every app. */
  private openConnections(front: Front, t: number): number {
    let open = 0;
    for (const app of front.apps) open += app.inFlight(t);
    return open;
  }

  /** Emits arrivals a late timer owes and retires every request that finished by `now`. */
  private retire(front: Front, now: number): void {
    front.generator.catchUp();
    for (const app of front.apps) app.advance(now);
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

/** Healthy and unhealthy targets by zone, with a zero for every zone that has had a task. */
function hostCounts(front: Front): Map<string, HostCount> {
  const byZone = new Map<string, HostCount>();
  for (const zone of front.zones) byZone.set(zone, { healthy: 0, unhealthy: 0 });
  for (const t of front.group.registered()) {
    const c = byZone.get(front.zoneOf.get(t.app) ?? "");
    if (!c) continue;
    if (t.state === "healthy") c.healthy++;
    else if (t.state === "unhealthy") c.unhealthy++;
  }
  return byZone;
}
