// The virtual clock's cost per timer that wakes an actor, against the pump it replaced
// (test/time/reference/clock-before.ts), measured in the same run, case by case in turn.
// The workload has the outage's shape: actors that sleep and wake (shippers, producers, probes)
// among synchronous sandbox events (ten per wake), nothing else queued on the event loop.
//   npx tsx bench/clock-turns.ts        (RUNS=n rounds; the median is reported)
// CPU time (user + system) rather than wall time: on a shared machine it is the steadier figure.
import { VirtualClock } from "../src/time/clock.js";
import { VirtualClockBefore } from "../test/time/reference/clock-before.js";

const runs = Number(process.env.RUNS ?? 5);
const ACTORS = 20;
const WAKES_PER_ACTOR = 2_000;
const SYNC_PER_WAKE = 10;

type AnyClock = VirtualClock | VirtualClockBefore;

async function workload(clock: AnyClock): Promise<{ cpuMs: number; turns: number; fired: number }> {
  let turns = 0;
  const original = globalThis.setImmediate;
  // Count the clock's own turns: its pump's setImmediate calls.
  globalThis.setImmediate = ((fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (fn.name === "pump") turns++;
    return original(fn, ...args);
  }) as typeof setImmediate;
  const c0 = process.cpuUsage();
  try {
    let syncLeft = ACTORS * WAKES_PER_ACTOR * SYNC_PER_WAKE;
    const event = () => {
      if (--syncLeft > 0) clock.setSyncTimer(1, event);
    };
    clock.setSyncTimer(1, event);
    const actor = async (i: number) => {
      for (let k = 0; k < WAKES_PER_ACTOR; k++) await clock.sleep(SYNC_PER_WAKE * ACTORS + i);
    };
    await Promise.all(Array.from({ length: ACTORS }, (_, i) => actor(i)));
  } finally {
    globalThis.setImmediate = original;
  }
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, turns, fired: clock.fired };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// One round of each first, unmeasured: both pumps compiled and warm before either is timed.
await workload(new VirtualClockBefore(0));
await workload(new VirtualClock(0));
const before: { cpuMs: number; turns: number; fired: number }[] = [];
const now: typeof before = [];
for (let r = 0; r < runs; r++) {
  before.push(await workload(new VirtualClockBefore(0)));
  now.push(await workload(new VirtualClock(0)));
}
const wakes = ACTORS * WAKES_PER_ACTOR;
const row = (label: string, rs: typeof before) => {
  const cpu = median(rs.map((r) => r.cpuMs));
  console.log(
    `${label.padEnd(22)} ${cpu.toFixed(0).padStart(6)} ms CPU  ${((cpu * 1000) / wakes).toFixed(2).padStart(6)} µs per wake  ${String(rs[0]!.turns).padStart(7)} turns  ${rs[0]!.fired} timers fired`,
  );
  return cpu;
};
console.log(`${ACTORS} actors x ${WAKES_PER_ACTOR} wakes, ${SYNC_PER_WAKE} sandbox events per wake; median of ${runs}`);
const b = row("pump before (2 turns)", before);
const n = row("pump now", now);
console.log(`now / before: CPU ${(n / b).toFixed(2)}x, turns ${(now[0]!.turns / before[0]!.turns).toFixed(2)}x`);
