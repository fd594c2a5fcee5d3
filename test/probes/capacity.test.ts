/**
 * capacity on a target whose load generator puts its measurements over the network: the probe
 * reads the ramp's periods only once the generator's puts of them have been answered.
 */
import { describe, expect, it } from "vitest";
import capacity from "../../probes/capacity.js";
import type { TrafficPort } from "../../src/engine/ports.js";
import { VirtualClock } from "../../src/time/clock.js";

describe("capacity", () => {
  it("waits for the generator's puts of the ramp's last period before it reads the series", async () => {
    const clock = new VirtualClock();
    const periodMs = 10_000;
    let landed = false;
    const asked: [string, number][] = [];
    let rampEnd = 0;
    const traffic: TrafficPort = {
      services: () => ["web"],
      drive() {},
      ramp(_service, _from, _to, overMs) {
        rampEnd = clock.now() + overMs;
      },
      async published(service, until) {
        asked.push([service, until]);
        // Answered a moment later, as PutMetricData over a network is.
        await new Promise((resolve) => setImmediate(resolve));
        landed = true;
      },
    };
    // Every period of the ramp has 100 requests, all answered; the last one only once its puts have landed.
    const cloudwatch = {
      async send(command: { input: { StartTime: Date; EndTime: Date; MetricDataQueries: { Id: string }[] } }) {
        const { StartTime, EndTime, MetricDataQueries } = command.input;
        const starts: Date[] = [];
        for (let t = StartTime.getTime(); t < EndTime.getTime(); t += periodMs) if (landed || t + periodMs < EndTime.getTime()) starts.push(new Date(t));
        const value = (id: string) => (id === "c0" || id === "c1" ? 100 : id.startsWith("l") ? 0.05 : 0);
        return { MetricDataResults: MetricDataQueries.map((q) => ({ Id: q.Id, Timestamps: starts, Values: starts.map(() => value(q.Id)) })) };
      },
    };
    const params = capacity.params.parse({ service: "web", from: 10, to: 20, over: "PT30S", period: "PT10S", tasks: 2, threads: 10, serviceTime: "50ms" });
    const ctx = { clock, traffic, aws: { cloudwatch: async () => cloudwatch }, params, state: {}, runState: {}, signal: new AbortController().signal, final: true, mode: "once" as const } as never;
    const reading = await capacity.run(ctx);
    clock.stop();
    expect(asked).toEqual([["web", rampEnd]]);
    expect((reading.value as { requests: number }).requests).toBe(300);
  });
});
