/**
 * One window of what a load generator measured, read back from CloudWatch with GetMetricData: the
 * Gameday/LoadGenerator metrics (src/load/metrics.ts) for one dimension set, each as a single
 * period covering the window. The same call reads the sandbox's simulated generator and a real one.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "./sdk/cloudwatch.js";
import type { Permission } from "../iam/permission.js";
import { LOAD_NAMESPACE } from "../load/metrics.js";
import type { TrafficPort } from "../engine/ports.js";
import { raceAbort } from "../engine/signals.js";
import type { Clock } from "../time/clock.js";

/** The namespace the generators publish to (defined with them), for the readers. */
export { LOAD_NAMESPACE };

/** Requests whose outcome became known in the window; latencies in ms (0 when nothing was answered). */
export interface LoadWindow {
  requests: number;
  /** HTTP status class ("2XX" … "5XX") to count, classes with none left out. */
  byClass: Record<string, number>;
  timeouts: number;
  connectionErrors: number;
  /** The generator's own failures, not the target's and not in `requests` (src/load/shortfall.ts). */
  generatorErrors: number;
  /** Of `requests`, those that reached the target late on the generator's schedule. */
  generatorLate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const COUNTS = ["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_3XX_Count", "HTTPCode_4XX_Count", "HTTPCode_5XX_Count", "TimeoutCount", "ConnectionErrorCount", "GeneratorErrorCount", "GeneratorLateCount"] as const;
const LATENCIES = ["p50", "p95", "p99", "Maximum"] as const;

/**
 * Reads [start, end) in one period. CloudWatch aligns periods (to the period below a minute, to the
 * minute above), so `start` must lie on such a boundary and `end - start` be a valid period, or the
 * window would come back split.
 */
export async function readLoadWindow(cloudwatch: CloudWatchClient, dimensions: Readonly<Record<string, string>>, start: number, end: number): Promise<LoadWindow> {
  const period = (end - start) / 1000;
  const Dimensions = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
  const metric = (MetricName: string) => ({ Namespace: LOAD_NAMESPACE, MetricName, Dimensions });
  const queries: MetricDataQuery[] = [
    ...COUNTS.map((name, i) => ({ Id: `c${i}`, MetricStat: { Metric: metric(name), Period: period, Stat: "Sum" } })),
    ...LATENCIES.map((stat, i) => ({ Id: `l${i}`, MetricStat: { Metric: metric("TargetResponseTime"), Period: period, Stat: stat } })),
  ];
  const sums = new Map<string, number>();
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(end), NextToken }));
    for (const r of out.MetricDataResults ?? []) {
      // One period, so at most one value per query.
      for (const v of r.Values ?? []) sums.set(r.Id!, v);
    }
    NextToken = out.NextToken;
  } while (NextToken);
  const count = (name: (typeof COUNTS)[number]) => sums.get(`c${COUNTS.indexOf(name)}`) ?? 0;
  const ms = (stat: (typeof LATENCIES)[number]) => Math.round((sums.get(`l${LATENCIES.indexOf(stat)}`) ?? 0) * 1_000_000) / 1000;
  const byClass: Record<string, number> = {};
  for (const c of [2, 3, 4, 5]) {
    const n = count(`HTTPCode_${c}XX_Count` as (typeof COUNTS)[number]);
    if (n > 0) byClass[`${c}XX`] = n;
  }
  const timeouts = count("TimeoutCount");
  const connectionErrors = count("ConnectionErrorCount");
  // Each request counts in RequestCount and in exactly one outcome. CloudWatch does not make a
  // put's metrics readable at one instant (nor the sandbox's on a scaled clock, before
  // MetricStore.snapshot), so a window can show outcomes whose RequestCount is not in yet: the
  // larger count is the window's, and a share of it never exceeds 1.
  const outcomes = Object.values(byClass).reduce((n, c) => n + c, 0) + timeouts + connectionErrors;
  const generator = { generatorErrors: count("GeneratorErrorCount"), generatorLate: count("GeneratorLateCount") };
  return { requests: Math.max(count("RequestCount"), outcomes), byClass, timeouts, connectionErrors, ...generator, p50: ms("p50"), p95: ms("p95"), p99: ms("p99"), max: ms("Maximum") };
}

/**
 * Waits until what the load generator measured for `service` in the periods that ended by `until`
 * is in the target's CloudWatch (TrafficPort.published): a generator that puts over the network is
 * still putting the last second when a period ends. Returns at once on a port that has nothing to wait for.
 */
async function loadPublished(traffic: TrafficPort, service: string, until: number, signal: AbortSignal): Promise<void> {
  const published = traffic.published?.(service, until);
  if (published) await raceAbort(published, signal);
}

/**
 * How long a reader waits for CloudWatch to show what the generator put, and how often it looks.
 * AWS makes a custom metric readable seconds after the put as a rule, at times a minute or more; a
 * target whose metrics are readable at once (either sandbox) never waits.
 */
export const VISIBILITY_WAIT_MS = 3 * 60_000;
export const VISIBILITY_POLL_MS = 2_000;

/**
 * Reads (`read`) until the window shows every request the generator put for [start, end) of
 * `service` (TrafficPort.requestsPut), so a reading judges all of it, not its first arrivals. A
 * port that does not say reads once. Still short after VISIBILITY_WAIT_MS: an error of the
 * reading (what it could judge would be a part), never a verdict on partial counts.
 */
export async function readWhenVisible<T>(
  traffic: TrafficPort,
  service: string,
  window: { start: number; end: number },
  read: () => Promise<T>,
  requestsIn: (read: T) => number,
  clock: Clock,
  signal: AbortSignal,
): Promise<T> {
  await loadPublished(traffic, service, window.end, signal);
  let got = await read();
  const put = traffic.requestsPut?.(service, window.start, window.end);
  if (put === undefined) return got;
  const deadline = clock.now() + VISIBILITY_WAIT_MS;
  while (requestsIn(got) < put) {
    if (clock.now() >= deadline) {
      throw new Error(`CloudWatch shows ${requestsIn(got)} of the ${put} requests the load generator put for ${service} from ${new Date(window.start).toISOString()} to ${new Date(window.end).toISOString()} after waiting ${VISIBILITY_WAIT_MS / 60_000} minutes for the rest; cannot judge part of a window`);
    }
    await clock.sleep(VISIBILITY_POLL_MS, signal);
    got = await read();
  }
  return got;
}

/** What readLoadWindow calls (GetMetricData takes no resource-level permission). */
export const LOAD_WINDOW_PERMISSIONS: Permission[] = [{ why: "read the load generator metrics", actions: ["cloudwatch:GetMetricData"], resources: ["*"] }];
