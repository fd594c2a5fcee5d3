/**
 * The ECS metrics an operator watches, per service, per minute:
 * - ECS/ContainerInsights RunningTaskCount, DesiredTaskCount, PendingTaskCount (ServiceName +
 *   ClusterName), sampled at each minute's start and at every task change, so Minimum/Maximum see
 *   a task that came and went within the minute; pending counts PROVISIONING, PENDING and
 *   ACTIVATING, as DescribeServices' pendingCount does;
 * - AWS/ECS CPUUtilization (ClusterName + ServiceName): CPU the service's running tasks used over
 *   the minute, as a percentage of the CPU they reserve. The sandbox's model of CPU use is its web
 *   app: a busy thread uses its share of the task's CPU, so a task without an app uses none.
 *   MemoryUtilization is not published: the sandbox has no model of memory use, and a made-up
 *   number would pass for one.
 */
import type { MetricSink } from "../services/cloudwatch/sink.js";
import type { Cluster, Service, Task } from "../services/ecs/model.js";
import type { WebApp } from "../workload/web-app.js";
import { MINUTE, minuteOf } from "./period.js";

export const CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights";
export const ECS_NAMESPACE = "AWS/ECS";

/** A service's task counts at one moment. */
export interface TaskCounts {
  desired: number;
  running: number;
  pending: number;
}

const PENDING = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

type Phase = "running" | "pending" | "other";

function phaseOf(task: Task): Phase {
  return task.lastStatus === "RUNNING" ? "running" : PENDING.has(task.lastStatus) ? "pending" : "other";
}

export function taskCounts(service: Service): TaskCounts {
  let running = 0;
  let pending = 0;
  for (const t of service.cluster.tasks) {
    if (t.service !== service) continue;
    const phase = phaseOf(t);
    if (phase === "running") running++;
    else if (phase === "pending") pending++;
  }
  return { desired: service.desiredCount, running, pending };
}

class Samples {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(v: number): void {
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

interface ServiceMinute {
  cluster: string;
  service: string;
  desired: Samples;
  running: Samples;
  pending: Samples;
}

const COUNTS = [
  ["RunningTaskCount", "running"],
  ["DesiredTaskCount", "desired"],
  ["PendingTaskCount", "pending"],
] as const;

export class EcsMetricsPublisher {
  /** Minute start -> "cluster/service" -> samples. */
  private readonly minutes = new Map<number, Map<string, ServiceMinute>>();
  /** Each app's busy thread time when it was last read. */
  private readonly busyRead = new WeakMap<WebApp, number>();

  constructor(private readonly sink: MetricSink) {}

  /** The service's task counts at `at`. */
  sample(at: number, cluster: string, service: string, counts: TaskCounts): void {
    const start = minuteOf(at);
    let services = this.minutes.get(start);
    if (!services) this.minutes.set(start, (services = new Map()));
    const key = `${cluster}/${service}`;
    let m = services.get(key);
    if (!m) services.set(key, (m = { cluster, service, desired: new Samples(), running: new Samples(), pending: new Samples() }));
    m.desired.add(counts.desired);
    m.running.add(counts.running);
    m.pending.add(counts.pending);
  }

  /**
   * CPUUtilization of the minute that ended at `now`, from the running tasks' apps: thread time
   * used since the last read over the thread time there was, weighted by each task's CPU units.
   */
  utilization(now: number, service: Service): void {
    let reserved = 0;
    let used = 0;
    for (const t of service.cluster.tasks) {
      if (t.service !== service || t.lastStatus !== "RUNNING") continue;
      const cpu = t.definition.spec.cpu;
      reserved += cpu;
      used += cpu * this.busyShare(t);
    }
    if (reserved === 0) return;
    this.sink.put({
      namespace: ECS_NAMESPACE,
      name: "CPUUtilization",
      dimensions: { ClusterName: service.cluster.name, ServiceName: service.name },
      timestamp: minuteOf(now) - MINUTE,
      value: (100 * used) / reserved,
      unit: "Percent",
      storageResolution: 60,
    });
  }

  /** Puts the task counts of every minute that ended by `now`. */
  flush(now: number): void {
    const open = minuteOf(now);
    for (const [timestamp, services] of [...this.minutes].sort((a, b) => a[0] - b[0])) {
      if (timestamp >= open) continue;
      for (const m of services.values()) {
        for (const [name, field] of COUNTS) {
          const s = m[field];
          this.sink.put({
            namespace: CONTAINER_INSIGHTS_NAMESPACE,
            name,
            dimensions: { ServiceName: m.service, ClusterName: m.cluster },
            timestamp,
            statistics: { sampleCount: s.n, sum: s.sum, minimum: s.min, maximum: s.max },
            unit: "Count",
            storageResolution: 60,
          });
        }
      }
      this.minutes.delete(timestamp);
    }
  }

  private busyShare(task: Task): number {
    const app = task.app;
    const threads = task.definition.spec.app?.threads;
    if (!app || !threads) return 0;
    const before = this.busyRead.get(app) ?? 0;
    this.busyRead.set(app, app.busyMs);
    return Math.min(1, (app.busyMs - before) / (threads * MINUTE));
  }
}

/**
 * Publishes every service of `clusters`: counts each minute and whenever a task moves between
 * pending, running and neither (kept up to date per task rather than recounted: a cluster of a
 * thousand tasks changes thousands of times while it boots), CPU each minute.
 */
export function publishEcsMetrics(publisher: EcsMetricsPublisher, clusters: () => Iterable<Cluster>, now: () => number): { taskChanged(task: Task): void; minute(): void } {
  const phases = new WeakMap<Task, Phase>();
  const counts = new Map<Service, TaskCounts>();
  /** Counts the service's tasks afresh, noting each one's phase for the updates that follow. */
  const recount = (s: Service): TaskCounts => {
    const c: TaskCounts = { desired: s.desiredCount, running: 0, pending: 0 };
    for (const t of s.cluster.tasks) {
      if (t.service !== s) continue;
      const phase = phaseOf(t);
      phases.set(t, phase);
      if (phase !== "other") c[phase]++;
    }
    counts.set(s, c);
    return c;
  };
  return {
    taskChanged(task) {
      const s = task.service;
      if (!s) return;
      const phase = phaseOf(task);
      let c = counts.get(s);
      if (!c) c = recount(s);
      else {
        const before = phases.get(task) ?? "other";
        if (phase === before) return;
        phases.set(task, phase);
        if (before !== "other") c[before]--;
        if (phase !== "other") c[phase]++;
      }
      c.desired = s.desiredCount;
      publisher.sample(now(), s.cluster.name, s.name, c);
    },
    minute() {
      const at = now();
      for (const c of clusters()) {
        for (const s of c.services) {
          publisher.utilization(at, s);
          // A full count once a minute, which also picks up desiredCount changes.
          publisher.sample(at, c.name, s.name, recount(s));
        }
      }
      publisher.flush(at);
    },
  };
}
