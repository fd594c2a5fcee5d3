/**
 * A virtual clock that goes live: `chaos sandbox serve` boots the stack in virtual time, then
 * paces the same clock to scaled wall time. The wall clock here is vitest's fake one (setTimeout
 * and performance.now), so "6 wall seconds later" is exact and instant; setImmediate stays real
 * because the clock's pump runs on it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PACED_MAX_SLIP_MS, VirtualClock } from "../../src/time/clock.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the pump (setImmediate) and promise continuations run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

/** Advances the fake wall clock by `ms`, letting the clock react to its real timer. */
async function wallPasses(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

const MINUTE = 60_000;

describe("a virtual clock paced to wall time", () => {
  it("reports its mode: virtual, then real at speed 1 or scaled at another speed", () => {
    const a = new VirtualClock();
    expect(a.kind).toBe("virtual");
    a.pace(1);
    expect(a.kind).toBe("real");
    const b = new VirtualClock();
    b.pace(60);
    expect(b.kind).toBe("scaled");
    a.stop();
    b.stop();
  });

  it("jumps while virtual, then moves with the wall clock from where it stood: now() is continuous", async () => {
    const clock = new VirtualClock(0);
    await clock.sleep(5 * MINUTE); // no wall time passes: the fake wall clock never moved
    expect(clock.now()).toBe(5 * MINUTE);
    clock.pace(60);
    expect(clock.now()).toBe(5 * MINUTE);
    await wallPasses(1_000);
    expect(clock.now()).toBe(5 * MINUTE + 60_000);
    clock.stop();
  });

  it("fires a timer armed before the switch when scaled wall time reaches it, not before", async () => {
    const clock = new VirtualClock(0);
    const firedAt: number[] = [];
    clock.setTimer(10 * MINUTE, () => firedAt.push(clock.now()));
    await clock.sleep(4 * MINUTE);
    clock.pace(60); // 6 virtual minutes left = 6 wall seconds
    // Paced time may lead the wall by one wall millisecond (a real timer's resolution), no more.
    await wallPasses(5_998);
    expect(firedAt).toEqual([]);
    await wallPasses(1);
    expect(firedAt).toEqual([10 * MINUTE]);
    clock.stop();
  });

  it("keeps (time, arming order) for timers armed before and after the switch", async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    clock.setTimer(3_000, () => order.push("before, 3 s"));
    clock.pace(1);
    clock.setTimer(2_000, () => order.push("after, 2 s"));
    clock.setTimer(3_000, () => order.push("after, 3 s"));
    await wallPasses(3_000);
    expect(order).toEqual(["after, 2 s", "before, 3 s", "after, 3 s"]);
    clock.stop();
  });

  it("sleeps and aborts in both phases", async () => {
    const clock = new VirtualClock(0);
    await clock.sleep(MINUTE);
    const pending = new AbortController();
    const aborted = clock.sleep(10 * MINUTE, pending.signal);
    const across = clock.sleep(2_000);
    let woke = false;
    void across.then(() => (woke = true));
    clock.pace(1);
    await wallPasses(1_000);
    expect(woke).toBe(false);
    pending.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    await wallPasses(1_000);
    expect(woke).toBe(true);
    const late = new AbortController();
    const paced = clock.sleep(5_000, late.signal);
    late.abort(new Error("later"));
    await expect(paced).rejects.toThrow("later");
    const done = clock.sleep(500);
    await wallPasses(500);
    await expect(done).resolves.toBeUndefined();
    clock.stop();
  });

  it("does not stand still for holds once paced (wall time does not wait for I/O)", async () => {
    const clock = new VirtualClock(0);
    const release = clock.hold();
    clock.pace(1);
    let fired = false;
    clock.setTimer(1_000, () => (fired = true));
    await wallPasses(1_000);
    expect(fired).toBe(true);
    release();
    clock.stop();
  });

  it("leaves no real timer behind after stop(), so a served process can exit", async () => {
    const clock = new VirtualClock(0);
    clock.setTimer(MINUTE, () => {});
    clock.pace(1);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    clock.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses a speed that is not a positive number, and a second pace()", () => {
    const clock = new VirtualClock(0);
    expect(() => clock.pace(0)).toThrow(RangeError);
    expect(() => clock.pace(Number.NaN)).toThrow(RangeError);
    clock.pace(2);
    expect(() => clock.pace(2)).toThrow(/already paced/);
    clock.stop();
  });

  it("runs sleeps shorter than a real timer's millisecond back to back, keeping pace with scaled wall time instead of a millisecond each", async () => {
    // A cold WordPress start: a thousand NFS operations of 0.25 ms, one after another, at 60x.
    const clock = new VirtualClock(0);
    clock.pace(60);
    let done = 0;
    const ops = (async () => {
      for (let i = 0; i < 1_000; i++) {
        await clock.sleep(0.25);
        done++;
      }
    })();
    // No wall time yet: one wall millisecond of lead (60 virtual ms) covers 240 operations.
    for (let i = 0; i < 100; i++) await settle();
    expect(done).toBe(240);
    expect(clock.now()).toBeLessThanOrEqual(60);
    // 250 virtual ms of operations take about 4 wall ms at 60x, not a thousand.
    for (let wall = 0; wall < 10 && done < 1_000; wall++) {
      await wallPasses(1);
      for (let i = 0; i < 300 && done < 1_000; i++) await settle();
    }
    await ops;
    expect(done).toBe(1_000);
    expect(clock.now()).toBeGreaterThanOrEqual(250);
    expect(clock.now()).toBeLessThanOrEqual(250 + 60);
    clock.stop();
  });

  it("runs an event the host fired late at its own time, and the continuations it wakes and the timers they arm too", async () => {
    // A busy host: the pump does not run for two wall seconds (the fake wall moves synchronously).
    const clock = new VirtualClock(0);
    clock.pace(1);
    const seen: number[] = [];
    const chain = (async () => {
      await clock.sleep(100);
      seen.push(clock.now());
      await clock.sleep(50); // armed at 100 + 50, already overdue: fires as soon as the pump runs
      seen.push(clock.now());
    })();
    vi.advanceTimersByTime(2_000);
    await settle();
    await chain;
    // A page's NFS operations took what the model says, not the host's stall.
    expect(seen).toEqual([100, 150]);
    // Caught up and idle: time is the wall's again.
    expect(clock.now()).toBe(2_000);
    clock.stop();
  });

  it("falls behind the wall by no more than the slip: later than that, time is pulled forward", async () => {
    const clock = new VirtualClock(0);
    clock.pace(1);
    const seen: number[] = [];
    clock.setTimer(100, () => seen.push(clock.now()));
    clock.setTimer(200, () => seen.push(clock.now()));
    vi.advanceTimersByTime(20_000);
    await settle();
    // Both ran 19.9 s late; a client that took our time once is at most the slip away from it.
    expect(seen).toEqual([20_000 - PACED_MAX_SLIP_MS, 20_000 - PACED_MAX_SLIP_MS]);
    clock.stop();
  });

  it("gives a read from outside the events the time of the event being caught up with, not the wall's", async () => {
    const clock = new VirtualClock(0);
    clock.pace(1);
    clock.setTimer(100, () => {});
    vi.advanceTimersByTime(1_000);
    // The timer at 100 is overdue and has not run: a request now is stamped with its time (not
    // the stale 0, which would end the request's modelled duration early on the wall), and is
    // ordered after it (what it arms comes due no sooner), not a second on.
    expect(clock.now()).toBe(100);
    await settle();
    expect(clock.now()).toBe(1_000);
    clock.stop();
  });

  it("never runs more than one wall millisecond ahead of scaled wall time", async () => {
    const clock = new VirtualClock(0);
    clock.pace(60);
    const firedAt: number[] = [];
    clock.setTimer(61, () => firedAt.push(clock.now())); // beyond the 60 virtual ms lead
    clock.setTimer(60, () => firedAt.push(clock.now())); // within it: fires with no wall time
    for (let i = 0; i < 20; i++) await settle();
    expect(firedAt).toEqual([60]);
    await wallPasses(1);
    expect(firedAt).toEqual([60, 61]);
    clock.stop();
  });
});
