// How long `chaos --help` takes to start, as a ratio to `node -e 0` measured in the same run.
// Runs are interleaved so that machine noise hits both alike; the median of each is compared.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
if (!existsSync(cli)) {
  console.error("build first: npm run build");
  process.exit(2);
}
const runs = Number(process.env.RUNS ?? 30);
/** @param {string[]} args */
const time = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const baseline = [];
const help = [];
time(["-e", "0"]);
time([cli, "--help"]);
for (let i = 0; i < runs; i++) {
  baseline.push(time(["-e", "0"]));
  help.push(time([cli, "--help"]));
}
const b = median(baseline);
const h = median(help);
console.log(`node -e 0       median ${b.toFixed(1)} ms (${runs} runs)`);
console.log(`chaos --help    median ${h.toFixed(1)} ms`);
console.log(`startup ratio   ${(h / b).toFixed(2)}x (aim: at most 1.3x)`);
