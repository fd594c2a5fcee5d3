/**
 * A log producer that gives up on Kinesis within seconds drops records in any throttling episode
 * or outage longer than that (2020-11-25 lasted 17 hours). AWS has no API for a producer's retry
 * settings; the one place the live target states them is a task definition whose container logs
 * through FireLens to Fluent Bit's Kinesis output (logConfiguration.options become that output's
 * settings, Retry_Limit among them). This check reads those through DescribeTaskDefinition.
 * Limits: Fluent Bit's scheduler.base and scheduler.cap (5 s and 2000 s by default) and anything
 * in a custom config file are not visible there, so the defaults are assumed; producers that are
 * not FireLens (gameday's shipper, the KPL, an SDK in the app) state nothing and are not checked.
 */
import type { Finding, LintCheck } from "../check.js";
import type { Inventory } from "../inventory.js";
import { serviceName } from "../services.js";

/** Fluent Bit's output plugins for Kinesis Data Streams: the core C plugin and the older Go plugin. */
const KINESIS_OUTPUTS = new Set(["kinesis_streams", "kinesis"]);
const SCHEDULER_BASE_S = 5;
const SCHEDULER_CAP_S = 2000;
const DEFAULT_RETRY_LIMIT = 1;
/** Shorter than this, a producer drops records in Kinesis incidents that are routine (throttling episodes last minutes). */
export const GIVE_UP_FLOOR_S = 300;

/** Retries Fluent Bit makes before dropping a chunk; Infinity for no_limits/False. */
export function retryLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RETRY_LIMIT;
  const v = value.trim().toLowerCase();
  if (v === "no_limits" || v === "false") return Number.POSITIVE_INFINITY;
  if (v === "no_retries") return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_RETRY_LIMIT;
}

/**
 * The longest Fluent Bit retries a chunk before dropping it: retry n waits a random time in
 * [base, min(cap, base * 2^n)] (its full-jitter backoff), so at most the sum of the upper ends.
 */
export function giveUpBoundSeconds(retries: number): number {
  if (!Number.isFinite(retries)) return Number.POSITIVE_INFINITY;
  let total = 0;
  // Past n = 9 every wait is capped (5 * 2^9 > 2000): the rest add the cap each.
  for (let n = 1; n <= Math.min(retries, 9); n++) total += Math.min(SCHEDULER_CAP_S, SCHEDULER_BASE_S * 2 ** n);
  return total + Math.max(0, retries - 9) * SCHEDULER_CAP_S;
}

function option(options: Record<string, string> | undefined, key: string): string | undefined {
  const found = Object.entries(options ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return found?.[1];
}

export const producerRetries: LintCheck = {
  id: "producer-retries",
  title: "Kinesis log producers (FireLens Fluent Bit) keep retrying longer than a routine Kinesis incident",
  doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html",
  severity: "error",
  calls: ["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices", "ecs:DescribeTaskDefinition"],
  async run(inv: Inventory): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const cluster of await inv.clusters()) {
      for (const s of await inv.services(cluster)) {
        if (!s.taskDefinition) continue;
        const td = await inv.taskDefinition(s.taskDefinition);
        for (const c of td?.containerDefinitions ?? []) {
          const log = c.logConfiguration;
          const output = option(log?.options, "Name");
          if (log?.logDriver !== "awsfirelens" || !output || !KINESIS_OUTPUTS.has(output)) continue;
          const setting = option(log.options, "Retry_Limit");
          const retries = retryLimit(setting);
          const bound = giveUpBoundSeconds(retries);
          if (bound >= GIVE_UP_FLOOR_S) continue;
          const stream = option(log.options, "stream") ?? "(no stream option)";
          const said = setting === undefined ? `Retry_Limit ${retries} (Fluent Bit's default)` : `Retry_Limit ${setting}`;
          findings.push({
            check: this.id,
            severity: this.severity,
            resource: `stream ${stream}`,
            message: `stream ${stream}: service ${serviceName(cluster.name, s)}'s container ${c.name ?? "?"} ships through FireLens Fluent Bit (${output}) with ${said}: it drops a chunk after at most ${bound} s of retries (scheduler base ${SCHEDULER_BASE_S} s, cap ${SCHEDULER_CAP_S} s assumed) < ${GIVE_UP_FLOOR_S} s`,
          });
        }
      }
    }
    return findings;
  },
};
