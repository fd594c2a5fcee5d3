/**
 * One clock per target: a run takes its time from a served sandbox (its instant and speed, and the
 * ALB URLs it serves), and runs in real time against an endpoint that publishes no clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type Served } from "../../src/sandbox/serve.js";
import { targetClock, parseClock } from "../../src/aws/target-clock.js";
import { RealClock } from "../../src/time/clock.js";

let served: Served | undefined;
let other: Server | undefined;
afterEach(async () => {
  await served?.close();
  await new Promise((r) => (other ? other.close(r) : r(undefined)));
  served = other = undefined;
});

/** A sandbox stand-in whose dispatcher answers every AWS call with `{}`. */
const servable = {
  dispatcher: { dispatch: () => ({ statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: "{}" }) },
  imds: () => ({ status: 404, body: "" }),
};

/** A sandbox instant well away from the wall clock, as a served sandbox at speed is after a while. */
const SANDBOX_NOW = Date.UTC(2031, 0, 1);

async function otherEndpoint(answer: (path: string) => { status: number; body: string }): Promise<URL> {
  other = createServer((req, res) => {
    const a = answer(req.url ?? "/");
    res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
  });
  await new Promise<void>((r) => other!.listen(0, "127.0.0.1", r));
  return new URL(`http://127.0.0.1:${(other.address() as AddressInfo).port}`);
}

describe("a run's clock against an endpoint", () => {
  it("is the served sandbox's: its instant (corrected by half the round trip), its speed, and its ALB URLs", async () => {
    served = await serve(servable as never, { port: 0, clock: () => ({ now: SANDBOX_NOW, speed: 20, albs: { web: "http://127.0.0.1:9" } }) });
    const wall = new RealClock();
    const t = await targetClock(new URL(served.url), wall);
    expect(t.source).toBe("target");
    expect(t.clock.kind).toBe("scaled");
    expect(t.speed).toBe(20);
    expect(t.albs).toEqual({ web: "http://127.0.0.1:9" });
    const now = t.clock.now();
    // Not the wall clock: the sandbox's instant, moved on by half the round trip at 20x and what passed since.
    expect(now).toBeGreaterThanOrEqual(SANDBOX_NOW + (t.roundTripMs! / 2) * 20);
    expect(now - SANDBOX_NOW).toBeLessThan(60_000);
  });

  it("the served sandbox still dispatches AWS calls on every other path, and POSTs to the clock path too", async () => {
    served = await serve(servable as never, { port: 0, clock: () => ({ now: SANDBOX_NOW, speed: 1, albs: {} }) });
    const post = await fetch(`${served.url}/_gameday/clock`, { method: "POST", body: "{}" });
    expect(await post.text()).toBe("{}");
    const aws = await fetch(`${served.url}/`, { method: "POST", body: "{}" });
    expect(await aws.text()).toBe("{}");
  });

  it("is real time when the endpoint has no clock to give (LocalStack's 404, another emulator's JSON)", async () => {
    for (const answer of [{ status: 404, body: "not found" }, { status: 200, body: '{"status":"running"}' }]) {
      const wall = new RealClock();
      const t = await targetClock(await otherEndpoint(() => answer), wall);
      expect([t.source, t.clock, t.albs]).toEqual(["real", wall, {}]);
      await new Promise((r) => other!.close(r));
      other = undefined;
    }
  });

  it("asks at the path the sandbox serves it on", async () => {
    const asked: string[] = [];
    const wall = new RealClock();
    const t = await targetClock(
      await otherEndpoint((path) => {
        asked.push(path);
        return { status: 200, body: JSON.stringify({ now: SANDBOX_NOW, speed: 30, albs: {} }) };
      }),
      wall,
    );
    expect(asked).toEqual(["/_gameday/clock"]);
    expect(t.speed).toBe(30);
  });

  it("refuses a clock that is not one: no speed, a speed of 0, a time that is not a number", () => {
    expect(parseClock('{"now":1,"speed":0}')).toBeUndefined();
    expect(parseClock('{"now":"1","speed":2}')).toBeUndefined();
    expect(parseClock('{"now":1}')).toBeUndefined();
    expect(parseClock("[1,2]")).toBeUndefined();
    expect(parseClock('{"now":5,"speed":2,"albs":{"web":"http://x","bad":3}}')).toEqual({ now: 5, speed: 2, albs: { web: "http://x" } });
  });
});
