// How fast the embedded sandbox runs the WordPress stack (fixtures/stacks/wordpress.yaml: CloudFront,
// the HTTP API, Lambda with EFS) at 200 viewer requests a second, as virtual seconds per wall second,
// against a baseline measured in the same run: the same stack at its own 20 requests a second.
// Each case is five virtual minutes after the stack is built; CPU time is printed beside wall time
// because on a shared machine wall time swings with everyone else's load, CPU time far less.
//   node bench/wordpress.mjs        (RUNS=n to repeat, 1 by default; the median run of each case is reported)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { register } from "tsx/esm/api";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

register();
const root = fileURLToPath(new URL("../", import.meta.url));
const { buildTarget } = await import("../src/cli/target.js");
const { SeededRandom } = await import("../src/random/random.js");
const { readLoadWindow } = await import("../src/aws/load-window.js");

const STACK = join(root, "fixtures", "stacks", "wordpress.yaml");
const VIRTUAL_MS = 300_000;
const runs = Number(process.env.RUNS ?? 1);

/** @typedef {{ wallMs: number, cpuMs: number, detail: string }} Result */

/**
 * Five virtual minutes of the stack with its viewers driven at `rps` (at least).
 * @param {number} rps
 * @param {number} seed
 * @returns {Promise<Result>}
 */
async function once(rps, seed) {
  const cwd = mkdtempSync(join(tmpdir(), "gameday-bench-wp-"));
  const target = await buildTarget({ target: "sandbox", stack: STACK, random: new SeededRandom(seed), cwd });
  target.begin();
  target.traffic.drive("wordpress", rps);
  const clock = target.clock;
  const v0 = clock.now();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await clock.sleep(VIRTUAL_MS);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const from = Math.ceil(v0 / 60_000) * 60_000;
  const w = await readLoadWindow(await target.clients.cloudwatch(), { Service: "wordpress" }, from, from + 240_000);
  await target.close();
  rmSync(cwd, { recursive: true, force: true });
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, detail: `${w.requests} viewer requests in 4 whole minutes, ${JSON.stringify(w.byClass)}, p50 ${w.p50} ms` };
}

/**
 * @param {Result[]} xs
 * @returns {Result}
 */
const median = (xs) => /** @type {Result} */ ([...xs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(xs.length / 2)]);
/** @param {Result} r */
const rate = (r) => VIRTUAL_MS / 1000 / (r.wallMs / 1000);

/** @type {Result[]} */
const cases = [];
/** @type {[string, number][]} */
const CASES = [
  ["baseline: wordpress.yaml at 20 req/s", 20],
  ["wordpress.yaml at 200 req/s", 200],
];
for (const [name, rps] of CASES) {
  /** @type {Result[]} */
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(rps, 7 + i));
  const m = median(results);
  cases.push(m);
  console.log(`${name.padEnd(40)} ${rate(m).toFixed(1).padStart(7)} virtual s per wall s   wall ${m.wallMs.toFixed(0)} ms, CPU ${m.cpuMs.toFixed(0)} ms   (${m.detail})`);
}
const [base, wp] = /** @type {[Result, Result]} */ (/** @type {unknown} */ (cases));
console.log(`ratio, 200 req/s against the baseline: ${(rate(wp) / rate(base)).toFixed(2)}x the virtual seconds per wall second; CPU per virtual second ${(wp.cpuMs / base.cpuMs).toFixed(2)}x`);
