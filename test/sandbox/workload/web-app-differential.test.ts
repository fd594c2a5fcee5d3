/**
 * A web app's threads with the scan for the next end bounded by the highest busy thread (and the
 * service-time object): every request must end when, in the order and with the outcome it ended
 * with before, whatever the threads, backlog, proxy, CPU work and the arrivals, drains and exits.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom } from "../../../src/random/random.js";
import type { AppSpec } from "../../../src/sandbox/stack/ecs.js";
import { WebApp, type RequestWatcher } from "../../../src/sandbox/workload/web-app.js";
import { ReferenceWebApp } from "./reference/web-app.js";

const spec: fc.Arbitrary<AppSpec> = fc.record({
  threads: fc.integer({ min: 1, max: 12 }),
  serviceTime: fc.oneof(
    fc.record({ distribution: fc.constant("lognormal" as const), p50: fc.constantFrom(5, 25, 200), p99: fc.constantFrom(250, 2_000) }),
    fc.record({ distribution: fc.constant("constant" as const), value: fc.constantFrom(0, 10, 100) }),
  ),
  cpuTime: fc.constantFrom(0, 0, 2, 20),
  backlog: fc.integer({ min: 0, max: 3 }),
  proxy: fc.option(fc.record({ backlog: fc.integer({ min: 1, max: 6 }), readTimeout: fc.constant(60_000), connections: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }) }), { nil: undefined }),
});
const op = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("accept" as const), dt: fc.integer({ min: 0, max: 40 }), watched: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), dt: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("inFlight" as const), dt: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("sigterm" as const, "exit" as const), dt: fc.integer({ min: 0, max: 100 }) }) },
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
type App = { start(): void; accept(t: number, w?: RequestWatcher): void; advance(t: number): void; inFlight(t: number): number; sigterm(t: number): void; exit(t: number): void; nextCompletion(): number; busyMs: number };

/** What the app told its sink and watchers, and what it answered, op by op. */
function play(make: (sink: (...a: unknown[]) => void) => App, ops: Op[]): unknown[] {
  const seen: unknown[] = [];
  const app = make((arrived, ended, answered, watcher, proxyRefused) => seen.push(["end", arrived, ended, answered, (watcher as { id?: number } | undefined)?.id, proxyRefused]));
  app.start();
  let t = 0;
  let id = 0;
  for (const o of ops) {
    t += o.dt;
    if (o.kind === "accept") {
      const w = o.watched ? { id: id++, started: (end: number) => seen.push(["started", w!.id, end]), answered: () => {} } : undefined;
      app.accept(t, w);
    } else if (o.kind === "advance") app.advance(t);
    else if (o.kind === "inFlight") seen.push(["inFlight", app.inFlight(t)]);
    else if (o.kind === "sigterm") app.sigterm(t);
    else app.exit(t);
    seen.push(["next", app.nextCompletion(), app.busyMs]);
  }
  app.advance(t + 1_000_000);
  seen.push(["next", app.nextCompletion(), app.busyMs]);
  return seen;
}

describe("a web app's threads", () => {
  it("end every request as the previous app did: when, in what order, with what outcome", () => {
    fc.assert(
      fc.property(spec, fc.constantFrom(0.25, 0.5, 1, 2, 4), fc.integer({ min: 0, max: 0xffffffff }), fc.array(op, { maxLength: 400 }), (s, vcpus, seed, ops) => {
        const now = play((sink) => new WebApp(s, new SeededRandom(seed), sink, vcpus), ops);
        const before = play((sink) => new ReferenceWebApp(s, new SeededRandom(seed), sink, vcpus), ops);
        expect(now).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
