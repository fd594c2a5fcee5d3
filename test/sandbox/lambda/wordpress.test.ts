/**
 * The WordPress request model on the sandbox's Lambda and EFS (fixtures/stacks/wordpress.yaml and
 * wordpress-untuned-opcache.yaml): what each request costs on EFS given PHP's caches, API Gateway
 * HTTP API 2.0 in and out, and what emerges under EFS latency: the 30 s cliff (the function's
 * timeout, lambda/latest/dg/configuration-timeout.html) and cold environments replacing the ones
 * a timeout discarded. PHP semantics: php.net/manual/en/opcache.configuration.php
 * (validate_timestamps, revalidate_freq), php.net/manual/en/ini.core.php (realpath_cache_*).
 */
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { EfsService } from "../../../src/sandbox/services/efs/index.js";
import { LambdaService, type InvokeResult } from "../../../src/sandbox/services/lambda/index.js";
import type { EfsFileSystem } from "../../../src/sandbox/services/efs/index.js";
import { httpApiEvent } from "../../../src/sandbox/services/lambda/wordpress-http.js";
import { discardMetrics } from "../../../src/sandbox/services/cloudwatch/sink.js";
import { loadStack, parseStack } from "../../../src/sandbox/stack/load.js";
import { VirtualClock } from "../../../src/time/clock.js";
import type { EfsOperation } from "../../../src/sandbox/services/efs/performance.js";

const STACKS = join(import.meta.dirname, "../../../fixtures/stacks");
const TUNED = join(STACKS, "wordpress.yaml");
const UNTUNED = join(STACKS, "wordpress-untuned-opcache.yaml");
const MiB = 1024 * 1024;

/** The measured front page (src/sandbox/stack/wordpress.ts): 340 PHP files in 25 directories. */
const FILES = 340;
const DIRS = 25;

interface Sim {
  clock: VirtualClock;
  lambda: LambdaService;
  fs: EfsFileSystem;
  request(path?: string, method?: string): Promise<{ out: InvokeResult; ms: number; opens: number; reads: number; stats: number; readBytes: number[] }>;
}
let sims: Sim[] = [];
afterEach(() => {
  for (const s of sims) s.clock.stop();
  sims = [];
  vi.restoreAllMocks();
});

function simulate(stack: ReturnType<typeof loadStack>, seed = 1): Sim {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(seed) });
  const efs = new EfsService(kernel, stack.efs!, [{ id: "subnet-a", az: "us-east-1a" }, { id: "subnet-b", az: "us-east-1b" }], discardMetrics);
  const lambda = new LambdaService(kernel, stack.lambdas!, ["us-east-1a", "us-east-1b"], efs, discardMetrics);
  const fs = efs.fileSystems[0]!;
  const ops: { op: EfsOperation; bytes: number }[] = [];
  const operate = fs.operate.bind(fs);
  vi.spyOn(fs, "operate").mockImplementation((client, op, bytes = 0) => {
    ops.push({ op, bytes });
    return operate(client, op, bytes);
  });
  const s: Sim = {
    clock,
    lambda,
    fs,
    /** One request; what it cost on EFS and how long it took. */
    async request(path = "/", method = "GET") {
      ops.length = 0;
      const t0 = clock.now();
      const out = await lambda.invoke("wordpress", httpApiEvent(method, path, t0));
      const count = (op: EfsOperation) => ops.filter((o) => o.op === op).length;
      return { out, ms: clock.now() - t0, opens: count("open"), reads: count("read"), stats: count("stat"), readBytes: ops.filter((o) => o.op === "read").map((o) => o.bytes) };
    },
  };
  sims.push(s);
  return s;
}

const wordpressStack = (php: string, extra = "") =>
  parseStack(
    `availabilityZones: [us-east-1a, us-east-1b]
efs: { fileSystems: [{ name: wordpress, sizeGiB: 2, accessPoints: [{ name: wp-root, path: /wp }] }] }
lambdas:
  functions:
    - name: wordpress
      memoryMB: 1024
      timeout: PT30S
      efs: { fileSystem: wordpress, accessPoint: wp-root, mountPath: /mnt/root }
      workload: { wordpress: { php: ${php}${extra} } }
`,
    "wp.yaml",
  );

describe("a WordPress page on Lambda with EFS", () => {
  it("a cold environment opens, reads and compiles every PHP file; warm requests within revalidate_freq (60 s) touch EFS once, for handler.php's file_exists", async () => {
    const s = simulate(loadStack(TUNED));
    const cold = await s.request();
    expect(cold.out.functionError).toBeUndefined();
    expect(cold.opens).toBe(FILES);
    expect(cold.reads).toBe(FILES);
    // lstats of the realpath cache: /mnt/root, handler.php, index.php, 25 directories, 339 files;
    // file_exists' own stat; the mount's 3 round trips.
    expect(cold.stats).toBe(2 + 1 + DIRS + (FILES - 1) + 1 + 3);
    await s.clock.sleep(1_000);
    const warm = await s.request();
    expect({ opens: warm.opens, reads: warm.reads, stats: warm.stats }).toEqual({ opens: 0, reads: 0, stats: 1 });
    expect(cold.ms).toBeGreaterThan(warm.ms);
    // A minute later every cached script's timestamp is due a check: one stat each.
    await s.clock.sleep(61_000);
    const revalidated = await s.request();
    expect({ opens: revalidated.opens, stats: revalidated.stats }).toEqual({ opens: 0, stats: FILES + 1 });
  });

  it("with revalidate_freq 0 every warm request stats every file; with opcache off every request opens, reads and compiles them all", async () => {
    const untuned = simulate(loadStack(UNTUNED));
    await untuned.request();
    for (let i = 0; i < 3; i++) {
      await untuned.clock.sleep(100);
      const warm = await untuned.request();
      expect({ opens: warm.opens, stats: warm.stats }).toEqual({ opens: 0, stats: FILES + 1 });
    }
    const off = simulate(wordpressStack("{ opcache.enable: false }"));
    await off.request();
    const warm = await off.request();
    expect({ opens: warm.opens, reads: warm.reads, stats: warm.stats }).toEqual({ opens: FILES, reads: FILES, stats: 1 });
  });

  it("a static asset (/wp-includes/*) is handler.php's file_exists and readfile from EFS, no WordPress; answered in the HTTP API 2.0 shape", async () => {
    const s = simulate(loadStack(TUNED));
    await s.request();
    const asset = await s.request("/wp-includes/blocks/navigation/style.min.css");
    expect(asset.out.payload).toEqual({ statusCode: 200, headers: { "content-type": "text/css" }, body: expect.any(String), isBase64Encoded: false });
    // The measured front page's assets: 8 KB on average.
    expect({ opens: asset.opens, readBytes: asset.readBytes }).toEqual({ opens: 1, readBytes: [8_088] });
    const page = await s.request("/");
    expect(page.out.payload).toMatchObject({ statusCode: 200, headers: { "content-type": "text/html; charset=UTF-8" }, isBase64Encoded: false });
    expect(asset.ms).toBeLessThan(page.ms);
  });

  it("httpApiEvent builds the documented 2.0 event: rawPath, requestContext.http.method, time as API Gateway writes it", () => {
    expect(httpApiEvent("GET", "/wp-login.php", Date.UTC(2020, 2, 12, 19, 3, 58), { rawQueryString: "a=1" })).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/wp-login.php",
      rawQueryString: "a=1",
      queryStringParameters: { a: "1" },
      requestContext: { http: { method: "GET", path: "/wp-login.php" }, stage: "$default", time: "12/Mar/2020:19:03:58 +0000", timeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58) },
      isBase64Encoded: false,
    });
  });

  it("an event that is not an HTTP API 2.0 payload is a function error saying what was expected", async () => {
    const s = simulate(loadStack(TUNED));
    const out = await s.lambda.invoke("wordpress", { path: "/", httpMethod: "GET" });
    expect(out.functionError).toBe("Unhandled");
    expect(out.payload).toMatchObject({ errorType: "TypeError", errorMessage: expect.stringMatching(/^expected an API Gateway HTTP API event in payload format 2\.0 \(version "2\.0", rawPath, requestContext\.http\.method\)/) });
  });

  it("database time is a distribution: warm requests differ, and the same seed repeats them", async () => {
    const durations = async (seed: number) => {
      const s = simulate(loadStack(TUNED), seed);
      await s.request();
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await s.request()).ms);
      return out;
    };
    const a = await durations(1);
    expect(new Set(a).size).toBeGreaterThan(10);
    expect(await durations(1)).toEqual(a);
    expect(await durations(2)).not.toEqual(a);
  });

  it("a timed-out environment is discarded: the next request is cold again, and under EFS latency cold is slower still", async () => {
    const s = simulate(loadStack(UNTUNED));
    await s.request();
    // 100 ms per NFS operation: 341 stats of a warm request take 34 s, past the 30 s timeout.
    s.fs.latencyFaults.add({ delayMs: 100, jitterMs: 0 });
    const timedOut = await s.request();
    expect(timedOut.out.functionError).toBe("Unhandled");
    expect(timedOut.out.payload).toMatchObject({ errorMessage: expect.stringMatching(/Task timed out after 30\.00 seconds$/) });
    const next = await s.request();
    expect(next.opens).toBeGreaterThan(0);
    expect(next.out.functionError).toBe("Unhandled");
  });
});

/** Poisson arrivals at `rps` for `ms`, each an HTTP API request for "/"; what every request took. */
async function load(s: Sim, rps: number, ms: number, arrivals: SeededRandom): Promise<{ ms: number; error: boolean }[]> {
  const out: { ms: number; error: boolean }[] = [];
  const pending: Promise<void>[] = [];
  const end = s.clock.now() + ms;
  while (s.clock.now() < end) {
    const at = s.clock.now();
    pending.push(s.lambda.invoke("wordpress", httpApiEvent("GET", "/", at)).then((r) => void out.push({ ms: s.clock.now() - at, error: r.functionError !== undefined })));
    await s.clock.sleep(arrivals.exponential(1000 / rps));
  }
  await Promise.all(pending);
  return out;
}

const percentile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

describe("EFS latency and opcache tuning under load (5 requests/s, open model)", () => {
  /** A minute of warm-up at EFS's normal latency, then two minutes with the file system limited to `throughput` bytes/s. */
  async function underSlowEfs(stack: string, throughput: number) {
    const s = simulate(loadStack(stack));
    const arrivals = new SeededRandom(2);
    const before = await load(s, 5, 60_000, arrivals);
    // Starved of throughput (credits gone on a ~80 GiB bursting file system: its 4 MiB/s
    // baseline), each NFS operation waits its turn: EFS latency rises with the load on it.
    s.fs.throughputCap = throughput;
    const during = await load(s, 5, 120_000, arrivals);
    return { before, during };
  }

  it("untuned (revalidate_freq 0): p99 reaches the 30 s timeout and most requests time out; tuned (revalidate_freq 60) stays far below", async () => {
    const tuned = await underSlowEfs(TUNED, 4 * MiB);
    const untuned = await underSlowEfs(UNTUNED, 4 * MiB);
    // Before: both well inside their budget (the first minute's cold starts included).
    expect(percentile(tuned.before.map((r) => r.ms), 0.99)).toBeLessThan(2_000);
    expect(percentile(untuned.before.map((r) => r.ms), 0.99)).toBeLessThan(2_000);
    // During: 341 stats a request x 5 requests/s outruns 4 MiB/s of metered metadata I/O, so
    // requests queue until they time out, and each timed-out environment comes back cold.
    expect(percentile(untuned.during.map((r) => r.ms), 0.99)).toBeGreaterThanOrEqual(30_000);
    expect(untuned.during.filter((r) => r.error).length / untuned.during.length).toBeGreaterThan(0.5);
    expect(percentile(tuned.during.map((r) => r.ms), 0.99)).toBeLessThan(3_000);
    expect(tuned.during.filter((r) => r.error)).toEqual([]);
  });

  it("10 ms added to every NFS operation: the untuned median grows by 341 stats, the tuned one by about one", async () => {
    const median = async (stack: string) => {
      const s = simulate(loadStack(stack));
      const arrivals = new SeededRandom(2);
      const before = await load(s, 5, 30_000, arrivals);
      s.fs.latencyFaults.add({ delayMs: 10, jitterMs: 0 });
      const during = await load(s, 5, 30_000, arrivals);
      return percentile(during.map((r) => r.ms), 0.5) - percentile(before.map((r) => r.ms), 0.5);
    };
    const tunedGrowth = await median(TUNED);
    const untunedGrowth = await median(UNTUNED);
    expect(untunedGrowth).toBeGreaterThan(341 * 10 * 0.9);
    expect(tunedGrowth).toBeLessThan(50);
  });
});
