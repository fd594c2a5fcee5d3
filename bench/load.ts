// The real-target load generator's own overhead: the request rate it sustains against a local
// zero-latency HTTP server, as a ratio to a baseline measured in the same run: plain `http.get`
// loops (closed, as many in parallel as the generator's socket pool) on a keep-alive agent, which
// is the most this process can push through node:http at all.
// The server runs in a worker thread so that it does not share the measured event loop.
// "Sustained": every request answered with a 200, none sent more than 100 ms late, and answers
// coming back at 95% of the offered rate or more (not piling up behind the schedule). The rate is
// found by doubling, then three bisection steps.
// Run: npx tsx bench/load.ts   (SECONDS=n per step, default 2; SOCKETS=n, default 64)
import { Agent, get } from "node:http";
import { Worker } from "node:worker_threads";
import { runHttpLoad, type LoadResult } from "../src/load/http-load.js";
import { RealClock } from "../src/time/clock.js";

const seconds = Number(process.env.SECONDS ?? 2);
const sockets = Number(process.env.SOCKETS ?? 64);

const SERVER = `
const { createServer } = require("node:http");
const { parentPort } = require("node:worker_threads");
const s = createServer((req, res) => { req.resume(); res.writeHead(200, { "content-type": "text/plain", "content-length": "3" }).end("ok\\n"); });
s.keepAliveTimeout = 60000;
s.listen(0, "127.0.0.1", () => parentPort.postMessage(s.address().port));
parentPort.on("message", () => s.close(() => process.exit(0)));
`;

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      worker.postMessage("stop");
      await new Promise((r) => worker.once("exit", r));
    },
  };
}

/** Plain http.get in `sockets` closed loops for `ms`: requests answered per second. */
async function baseline(url: string, ms: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const end = performance.now() + ms;
  let done = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      await new Promise<void>((resolve, reject) => {
        get(url, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        }).on("error", reject);
      });
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: sockets }, loop));
  agent.destroy();
  return done / ((performance.now() - t0) / 1000);
}

function sustained(r: LoadResult, rate: number, wallSeconds: number): boolean {
  return r.answered === r.sent && r.byStatus[200] === r.sent && r.maxLagMs < 100 && r.answered / wallSeconds >= 0.95 * rate;
}

/** One step at `rate` for `seconds`: printed, and whether the generator sustained it. */
async function step(url: string, rate: number): Promise<boolean> {
  const t0 = performance.now();
  const r = await runHttpLoad({ url, stages: [{ rate, duration: seconds * 1000 }], clock: new RealClock(), maxSockets: sockets });
  const wall = (performance.now() - t0) / 1000;
  const ok = sustained(r, rate, wall);
  console.log(
    `generator offered ${String(Math.round(rate)).padStart(6)}/s: sent ${r.sent}, answered ${(r.answered / wall).toFixed(0)}/s over ${wall.toFixed(2)} s, worst lag ${r.maxLagMs.toFixed(1)} ms, p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms${ok ? "" : "  (not sustained)"}`,
  );
  return ok;
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    // Warm both paths up (JIT, connections) before measuring.
    await baseline(server.url, 500);
    await runHttpLoad({ url: server.url, stages: [{ rate: 1000, duration: 500 }], clock: new RealClock(), maxSockets: sockets });

    const base = await baseline(server.url, seconds * 1000);
    console.log(`baseline: plain http.get, ${sockets} keep-alive loops: ${base.toFixed(0)} requests/s`);

    let best = 0;
    let worst = Infinity;
    for (let rate = 1000; rate <= 128_000; rate *= 2) {
      if (!(await step(server.url, rate))) {
        worst = rate;
        break;
      }
      best = rate;
    }
    for (let i = 0; i < 3 && Number.isFinite(worst); i++) {
      const mid = Math.round((best + worst) / 2);
      if (await step(server.url, mid)) best = mid;
      else worst = mid;
    }
    console.log(`sustained: ${best} requests/s = ${(best / base).toFixed(2)}x the plain http.get baseline (the limit lies below ${worst})`);
  } finally {
    await server.stop();
  }
}

await main();
