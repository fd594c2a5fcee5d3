/**
 * An optional second destination tried before the disk spool while the breaker is open: an HTTP
 * endpoint that takes NDJSON, such as a Fluent Bit `http` input or a Fluentd `in_http` source.
 *
 * Whatever it is, it must not depend on Kinesis's region being healthy. CloudWatch Logs is
 * deliberately not offered as the fallback: on 2020-11-25 the us-east-1 Kinesis outage took
 * CloudWatch (PutLogEvents, PutMetricData) down with it, because CloudWatch itself buffers through
 * Kinesis, and the 2024-07-30 Kinesis cell impairment hit CloudWatch Logs and Firehose again. A
 * fallback that shares fate with the primary is no fallback. Point this at a collector on the host,
 * in another region, or outside AWS; the local disk spool is always behind it.
 */
import type { Clock } from "../time/clock.js";
import { after } from "./timer.js";

export interface SecondaryPort {
  /** Delivers the records or throws; `signal` aborts a post the shipper gave up on. */
  post(records: readonly Uint8Array[], signal: AbortSignal): Promise<void>;
}

/** POSTs the records as NDJSON (one JSON line per record) to `url`; any non-2xx status is a failure. */
export function httpSecondary(url: string): SecondaryPort {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`secondary.url: expected an http(s) URL, found ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`secondary.url: expected an http(s) URL, found protocol ${JSON.stringify(parsed.protocol)}`);
  }
  const newline = new Uint8Array([0x0a]);
  return {
    async post(records, signal) {
      const parts: Uint8Array[] = [];
      for (const r of records) parts.push(r, newline);
      const response = await fetch(parsed, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: Buffer.concat(parts),
        signal,
      });
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        throw new Error(`secondary sink ${parsed.origin}${parsed.pathname} answered HTTP ${response.status}`);
      }
    },
  };
}

/** Runs `post` with a timeout on the injected clock, holding a virtual clock while real I/O is out. */
export async function postWithTimeout(
  port: SecondaryPort,
  records: readonly Uint8Array[],
  clock: Clock,
  timeoutMs: number,
  outer: AbortSignal,
): Promise<void> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer.reason);
  outer.addEventListener("abort", onOuterAbort, { once: true });
  const cancel = after(clock, timeoutMs, () => controller.abort(new Error(`secondary sink timed out after ${timeoutMs} ms`)));
  const release = clock.hold();
  try {
    await new Promise<void>((resolve, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
      port.post(records, controller.signal).then(resolve, reject);
    });
  } finally {
    release();
    cancel();
    outer.removeEventListener("abort", onOuterAbort);
  }
}
