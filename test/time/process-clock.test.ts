import { describe, expect, it } from "vitest";
import { ProcessClock } from "../../src/time/process-clock.js";
import { VirtualClock } from "../../src/time/clock.js";

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe("a process clock", () => {
  it("runs timers and sleeps on the shared clock while the process lives", async () => {
    const base = new VirtualClock();
    const clock = new ProcessClock(base);
    const fired: number[] = [];
    clock.setTimer(100, () => fired.push(clock.now() - base.now() + 100));
    await clock.sleep(200);
    expect(fired).toHaveLength(1);
  });

  it("after kill(), never fires what was armed and never ends a sleep", async () => {
    const base = new VirtualClock();
    const clock = new ProcessClock(base);
    let fired = false;
    let woke = false;
    clock.setTimer(100, () => (fired = true));
    void clock.sleep(100).then(() => (woke = true));
    clock.kill();
    void clock.sleep(10).then(() => (woke = true));
    await base.sleep(1_000);
    await settle();
    expect(fired).toBe(false);
    expect(woke).toBe(false);
    expect(clock.alive).toBe(false);
  });
});
