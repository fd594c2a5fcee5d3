import { describe, expect, it } from "vitest";
import { REQUEST_LOG_RETENTION_S, RequestLog } from "../../../src/sandbox/workload/request-log.js";

describe("the sandbox's request log", () => {
  it("keeps the last 3 hours of requests, so a 17-hour run's log stays bounded; recent windows read as before", () => {
    const origin = 1_700_000_000_000;
    const log = new RequestLog(origin);
    const hours = 4;
    for (let s = 0; s < hours * 3600; s++) log.record(origin + s * 1000 + 500, 20, s % 100 === 0 ? 503 : 200);
    const end = origin + hours * 3600 * 1000;
    // The first hour is past the retention: forgotten.
    expect(log.stats(origin, origin + 3600_000).requests).toBe(0);
    // The last hour is all there, statuses and latencies included.
    const last = log.stats(end - 3600_000, end);
    expect(last.requests).toBe(3600);
    expect(last.byStatus).toEqual({ "200": 3564, "503": 36 });
    expect(last.p50).toBe(20);
    expect(log.stats(end - REQUEST_LOG_RETENTION_S * 1000, end).requests).toBe(REQUEST_LOG_RETENTION_S);
  });
});
