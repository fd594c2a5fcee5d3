/**
 * How the sandbox's services and workloads publish metrics: the in-process equivalent of
 * PutMetricData, under AWS's namespaces, names, dimensions and resolution. The sandbox's CloudWatch
 * stores what is put here and answers GetMetricData, ListMetrics and alarms from it, exactly as it
 * does for a client's own PutMetricData. The datum's shape lives in src/metrics/datum.ts.
 */
import type { MetricSink } from "../../../metrics/datum.js";

export type { MetricDatum, MetricSink } from "../../../metrics/datum.js";

/** A sink that keeps nothing: for a sandbox composed without CloudWatch. */
export const discardMetrics: MetricSink = { put() {} };
