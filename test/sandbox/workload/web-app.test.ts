/**
 * A web app's threads, simulated lazily: what the load balancer and the served ALB port rely on
 * is the order requests end in (the request log, the metrics and a waiting client see them in
 * that order) and when the next one ends (the served port waits on it).
 */
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../../src/random/random.js";
import type { AppSpec } from "../../../src/sandbox/stack/ecs.js";
import { WebApp, type RequestWatcher } from "../../../src/sandbox/workload/web-app.js";

type Ended = [arrivedAt: number, endedAt: number, answered: boolean, who?: string];

/** A client waiting on its request, known by name. */
const client = (name: string): RequestWatcher & { name: string } => ({ name, started() {}, answered() {} });

/** An app of `threads` threads whose requests each take `ms`, with `backlog` queue slots; its answers in order. */
function app(threads: number, ms: number, backlog = 0): { app: WebApp; ended: Ended[] } {
  const spec: AppSpec = { threads, serviceTime: { distribution: "constant", value: ms }, cpuTime: 0, backlog };
  const ended: Ended[] = [];
  const a = new WebApp(spec, new SeededRandom(1), (arrivedAt, endedAt, answered, watcher) => {
    const who = (watcher as { name?: string } | undefined)?.name;
    ended.push(who === undefined ? [arrivedAt, endedAt, answered] : [arrivedAt, endedAt, answered, who]);
  });
  a.start();
  return { app: a, ended };
}

describe("a web app's threads", () => {
  it("answers requests in the order they end, and those that end together in the order of their threads", () => {
    const { app: a, ended } = app(3, 100);
    a.accept(0);
    a.accept(10, client("second thread"));
    a.accept(10, client("third thread"));
    expect(a.nextCompletion()).toBe(100);
    a.advance(109);
    expect(ended).toEqual([[0, 100, true]]);
    expect(a.nextCompletion()).toBe(110);
    // The first thread is free again: this one takes it, and ends after the two below.
    a.accept(109, client("first thread"));
    a.advance(300);
    // The two that started at 10 end together at 110: the one on the lower thread first.
    expect(ended).toEqual([
      [0, 100, true],
      [10, 110, true, "second thread"],
      [10, 110, true, "third thread"],
      [109, 209, true, "first thread"],
    ]);
    expect(a.nextCompletion()).toBe(Infinity);
    expect(a.inFlight(300)).toBe(0);
  });

  it("starts a queued request on the first thread to free up, and says when the next request ends as they come and go", () => {
    const { app: a, ended } = app(2, 100, 2);
    a.accept(0);
    a.accept(30);
    a.accept(40);
    a.accept(45);
    // Both threads busy, two waiting; a fifth finds the backlog full and is refused at once.
    a.accept(50);
    expect(ended).toEqual([[50, 50, false]]);
    expect(a.inFlight(50)).toBe(4);
    expect(a.nextCompletion()).toBe(100);
    // At 100 the first thread frees and takes the request of 40; at 130 the second takes that of 45.
    a.advance(130);
    expect(a.nextCompletion()).toBe(200);
    a.advance(1_000);
    expect(ended.slice(1)).toEqual([
      [0, 100, true],
      [30, 130, true],
      [40, 200, true],
      [45, 230, true],
    ]);
    expect(a.nextCompletion()).toBe(Infinity);
  });

  it("fails what is in flight when the process ends, and has nothing left to end after", () => {
    const { app: a, ended } = app(2, 100, 1);
    a.accept(0);
    a.accept(10);
    a.accept(20);
    a.exit(50);
    expect(ended).toEqual([
      [0, 50, false],
      [10, 50, false],
      [20, 50, false],
    ]);
    expect(a.nextCompletion()).toBe(Infinity);
    expect(a.inFlight(60)).toBe(0);
  });
});
