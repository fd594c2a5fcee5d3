// How fast the sandbox simulates: virtual seconds per wall second for a spot interruption
// scenario (ten virtual minutes: stack up, interrupt one spot instance that runs web tasks, drain,
// terminate, replace), on the default stack and on the large one (100 instances, 1,000 tasks,
// 500 requests/s), measured in the same run and printed with the ratio between them.
// Run: npx tsx bench/sandbox.ts   (RUNS=n to repeat; the median run is reported)
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Sandbox } from "../src/sandbox/sandbox.js";
import { loadStack } from "../src/sandbox/stack/load.js";
import { VirtualClock } from "../src/time/clock.js";
import { SeededRandom } from "../src/random/random.js";

const stacks = fileURLToPath(new URL("../fixtures/stacks/", import.meta.url));
const VIRTUAL_MS = 600_000;
const runs = Number(process.env.RUNS ?? 3);

interface Result {
  wallMs: number;
  virtualMs: number;
  requests: number;
  timers: number;
  drainedBy: string;
}

async function scenario(file: string, seed: number): Promise<Result> {
  const stack = loadStack(join(stacks, file));
  const clock = new VirtualClock();
  const sandbox = await Sandbox.create({ stack, clock, random: new SeededRandom(seed) });
  const start = clock.now();
  const t0 = performance.now();
  sandbox.start();
  await sandbox.ready();
  const victim = [...sandbox.ecs.clusters.values()]
    .flatMap((c) => c.containerInstances)
    .find((ci) => ci.instance.lifecycle === "spot" && [...ci.tasks].some((t) => t.service?.targetGroup));
  if (!victim) throw new Error(`${file}: no spot instance runs a web task`);
  sandbox.interruptSpot(victim.instance.id, 120_000);
  await clock.sleep(start + VIRTUAL_MS - clock.now());
  const wallMs = performance.now() - t0;
  const service = sandbox.traffic.services()[0]!;
  const requests = sandbox.traffic.stats(service, start, clock.now()).requests;
  const drainedBy = sandbox.invocations.map((i) => i.outcome).join(",") || "none";
  const timers = clock.fired;
  await sandbox.stop();
  clock.stop();
  return { wallMs, virtualMs: clock.now() - start, requests, timers, drainedBy };
}

function median(results: Result[]): Result {
  return [...results].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(results.length / 2)]!;
}

// Warm up module loading and the JIT on the small stack, then interleave the two.
await scenario("default.yaml", 0);
const small: Result[] = [];
const large: Result[] = [];
for (let i = 0; i < runs; i++) {
  small.push(await scenario("default.yaml", i + 1));
  large.push(await scenario("large.yaml", i + 1));
}
const rows = [
  ["default.yaml", median(small)],
  ["large.yaml", median(large)],
] as const;
for (const [name, r] of rows) {
  const speed = r.virtualMs / 1000 / (r.wallMs / 1000);
  console.log(
    `${name.padEnd(13)} ${(r.virtualMs / 1000).toFixed(0)} virtual s in ${r.wallMs.toFixed(0)} ms wall: ${speed.toFixed(0)} virtual-s/wall-s ` +
      `(${r.requests} requests, ${r.timers} timer events, handler: ${r.drainedBy})`,
  );
}
const ratio = median(large).wallMs / median(small).wallMs;
console.log(`large/default wall-time ratio: ${ratio.toFixed(1)}x (median of ${runs} runs each)`);
