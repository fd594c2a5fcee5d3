// Every catalog experiment at several --speed values, each verdict against the same experiment in
// virtual time (same seed, same --var). Slow by nature (speed 1 is real time): run it by hand.
//
//   node bench/speeds.mjs                  speeds 1, 10 and 200 (the CI e2e test covers 50)
//   SPEEDS=10,50 node bench/speeds.mjs     other speeds
//   ONLY=task-kill JOBS=2 node bench/speeds.mjs
//   CHAOS_CLI=/path/to/dist/src/cli/main.js to run another build
//
// kinesis-outage is 17 virtual hours plus a 2-hour drain; it runs with a 2-minute and a 1-minute
// outage (its firstOutage/lastOutage knobs), which still leaves over 2 hours: too long at speed 1,
// where it is skipped and says so.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = process.env.CHAOS_CLI ?? join(root, "dist/src/cli/main.js");
if (!existsSync(cli)) {
  console.error("build first: npm run build");
  process.exit(2);
}
const speeds = (process.env.SPEEDS ?? "1,10,200").split(",").map(Number);
const jobs = Number(process.env.JOBS ?? 3);
const seed = process.env.SEED ?? "7";

/** @typedef {{ name: string, vars: string[], minutes: number }} Experiment */
/** @typedef {{ code: number | null, verdict: string, seconds: number, behind: string, journal: number }} Outcome */
/** @typedef {Outcome | { skipped: string }} Result */

/** @type {Experiment[]} Each experiment's --var knobs (applied at every speed and in virtual time) and how long it lasts in its own time. */
const EXPERIMENTS = [
  { name: "spot-interrupt", vars: [], minutes: 4.5 },
  { name: "task-kill", vars: [], minutes: 3.5 },
  { name: "kinesis-throttle", vars: [], minutes: 16.5 },
  { name: "kinesis-outage", vars: ["firstOutage=PT2M", "lastOutage=PT1M"], minutes: 128 },
].filter((e) => !process.env.ONLY || process.env.ONLY.split(",").includes(e.name));

/** Longest real time a run may take before it is not worth it (a speed-1 kinesis-outage). */
const MAX_REAL_MINUTES = 30;

/**
 * @param {Experiment} experiment
 * @param {number | undefined} speed
 * @returns {Promise<Outcome>}
 */
function runOnce(experiment, speed) {
  const dir = mkdtempSync(join(tmpdir(), "gameday-speeds-"));
  const args = [cli, "run", join(root, "experiments", `${experiment.name}.yaml`), "--seed", seed, "--log-format", "plain", "--journal-path", join(dir, "journal.json")];
  for (const v of experiment.vars) args.push("--var", v);
  if (speed !== undefined) args.push("--speed", String(speed));
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const verdict = /verdict: (\w+)/.exec(out)?.[1] ?? "?";
      const behind = /fell behind[^\n]*/.exec(out)?.[0] ?? "";
      if (verdict === "?" || process.env.VERBOSE) console.error(`--- ${experiment.name} speed ${speed ?? "virtual"}\n${out.slice(-3000)}`);
      resolve({ code, verdict, seconds, behind, journal: existsSync(join(dir, "journal.json")) ? readFileSync(join(dir, "journal.json"), "utf8").length : 0 });
    });
  });
}

/**
 * Runs `tasks` (functions returning promises) `jobs` at a time.
 * @param {(() => Promise<void>)[]} tasks
 */
async function pool(tasks) {
  /** @type {void[]} */
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]?.();
      }
    }),
  );
  return results;
}

/** @type {{ e: Experiment, speed: number | undefined }[]} */
const cells = [];
for (const e of EXPERIMENTS) {
  cells.push({ e, speed: undefined });
  for (const s of speeds) cells.push({ e, speed: s });
}
// Longest first, so the pool finishes as early as it can.
/** @param {{ e: Experiment, speed: number | undefined }} c */
const cost = (c) => (c.speed === undefined ? 0.1 : (c.e.minutes / c.speed));
const order = [...cells].sort((a, b) => cost(b) - cost(a));
/** @type {Map<string, Result>} */
const results = new Map();
await pool(
  order.map((c) => async () => {
    const key = `${c.e.name} ${c.speed ?? "virtual"}`;
    if (c.speed !== undefined && c.e.minutes / c.speed > MAX_REAL_MINUTES) {
      results.set(key, { skipped: `about ${Math.round(c.e.minutes / c.speed)} real minutes` });
      return;
    }
    const r = await runOnce(c.e, c.speed);
    results.set(key, r);
    console.error(`${key}: ${r.verdict} (exit ${r.code}) in ${r.seconds.toFixed(1)} s ${r.behind}`);
  }),
);

const header = ["experiment", "virtual", ...speeds.map((s) => `--speed ${s}`)];
const rows = EXPERIMENTS.map((e) => {
  const base = /** @type {Outcome} */ (results.get(`${e.name} virtual`));
  return [
    e.name + (e.vars.length ? ` (${e.vars.join(" ")})` : ""),
    `${base.verdict} (${base.code})`,
    ...speeds.map((s) => {
      const r = results.get(`${e.name} ${s}`);
      if (r === undefined) return "not run";
      if ("skipped" in r) return `skipped: ${r.skipped}`;
      const same = r.verdict === base.verdict && r.code === base.code ? "same" : "DIFFERENT";
      return `${r.verdict} (${r.code}) ${same}, ${r.seconds.toFixed(0)} s${r.behind ? " [behind]" : ""}`;
    }),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
/** @param {string[]} r */
const line = (r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));
const different = rows.some((r) => r.some((c) => c.includes("DIFFERENT")));
process.exit(different ? 1 : 0);
