/**
 * More EFS latency never makes a request faster: the whole Lambda request (cold start with the
 * EFS mount, the workload's file operations, CPU and database time) on the sandbox's clock; and
 * the same for the WordPress model, whatever its php.ini and the history of its caches.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { EfsService } from "../../../src/sandbox/services/efs/index.js";
import { LambdaService } from "../../../src/sandbox/services/lambda/index.js";
import { discardMetrics } from "../../../src/sandbox/services/cloudwatch/sink.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";
import { VirtualClock } from "../../../src/time/clock.js";
import { httpApiEvent } from "../../../src/sandbox/services/lambda/wordpress-http.js";

const stack = (opens: number, reads: number, writes: number, credits: number) =>
  parseStack(
    `availabilityZones: [us-east-1a, us-east-1b]
efs:
  fileSystems: [{ name: wp, sizeGiB: 2, burstCreditsGiB: ${credits}, accessPoints: [{ name: root, path: /wp }] }]
lambdas:
  functions:
    - name: wp
      memoryMB: 1024
      timeout: PT15M
      efs: { fileSystem: wp, accessPoint: root, mountPath: /mnt/root }
      workload: { opens: ${opens}, reads: ${reads}, readBytes: 65536, writes: ${writes}, writeBytes: 65536, cpu: 20ms }
`,
    "monotonic.yaml",
  );

/** Milliseconds `requests` sequential invocations take with `delayMs` of NFS latency. */
async function duration(s: ReturnType<typeof stack>, delayMs: number, requests: number): Promise<number> {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(1) });
  const efs = new EfsService(kernel, s.efs!, [{ id: "subnet-a", az: "us-east-1a" }, { id: "subnet-b", az: "us-east-1b" }], discardMetrics);
  const lambda = new LambdaService(kernel, s.lambdas!, ["us-east-1a", "us-east-1b"], efs, discardMetrics);
  efs.fileSystems[0]!.latencyFaults.add({ delayMs, jitterMs: 0 });
  const t0 = clock.now();
  for (let i = 0; i < requests; i++) await lambda.invoke("wp", {});
  const ms = clock.now() - t0;
  clock.stop();
  return ms;
}

describe("EFS latency and Lambda requests", () => {
  it("more injected NFS latency never makes a request faster (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(30), fc.nat(10), fc.nat(5), fc.constantFrom(0, 1), fc.nat(200), fc.nat(200), fc.integer({ min: 1, max: 3 }), async (opens, reads, writes, credits, d, extra, requests) => {
        const s = stack(opens, reads, writes, credits);
        expect(await duration(s, d + extra, requests)).toBeGreaterThanOrEqual(await duration(s, d, requests));
      }),
      { numRuns: 40 },
    );
  });
});

const wordpress = (w: { files: number; dirs: number; enable: boolean; validate: boolean; freq: number; ttl: number; size: string; credits: number }) =>
  parseStack(
    `availabilityZones: [us-east-1a, us-east-1b]
efs:
  fileSystems: [{ name: wp, sizeGiB: 2, burstCreditsGiB: ${w.credits}, accessPoints: [{ name: root, path: /wp }] }]
lambdas:
  functions:
    - name: wp
      memoryMB: 1024
      timeout: PT15M
      efs: { fileSystem: wp, accessPoint: root, mountPath: /mnt/root }
      workload:
        wordpress:
          phpFiles: ${w.files}
          directories: ${w.dirs}
          php: { opcache.enable: ${w.enable}, opcache.validate_timestamps: ${w.validate}, opcache.revalidate_freq: ${w.freq}, realpath_cache_ttl: ${w.ttl}, realpath_cache_size: ${w.size} }
`,
    "monotonic-wordpress.yaml",
  );

/**
 * Each request's milliseconds with `delayMs` of NFS latency. Requests arrive at fixed times (a
 * minute apart at least, longer than any of them takes), so that both runs see the same request
 * times, and with them the same opcache and realpath cache decisions: only the latency differs.
 */
async function wordpressDurations(s: ReturnType<typeof wordpress>, delayMs: number, requests: { gapMs: number; path: string }[]): Promise<number[]> {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(1) });
  const efs = new EfsService(kernel, s.efs!, [{ id: "subnet-a", az: "us-east-1a" }, { id: "subnet-b", az: "us-east-1b" }], discardMetrics);
  const lambda = new LambdaService(kernel, s.lambdas!, ["us-east-1a", "us-east-1b"], efs, discardMetrics);
  efs.fileSystems[0]!.latencyFaults.add({ delayMs, jitterMs: 0 });
  const out: number[] = [];
  let at = clock.now();
  for (const r of requests) {
    at += 60_000 + r.gapMs;
    await clock.sleep(at - clock.now());
    await lambda.invoke("wp", httpApiEvent("GET", r.path, at));
    out.push(clock.now() - at);
  }
  clock.stop();
  return out;
}

describe("EFS latency and the WordPress model", () => {
  it("more NFS latency never makes a WordPress request faster, whatever opcache, realpath cache and history (property)", async () => {
    const settings = fc.record({
      files: fc.integer({ min: 1, max: 40 }),
      dirs: fc.integer({ min: 1, max: 8 }),
      enable: fc.boolean(),
      validate: fc.boolean(),
      freq: fc.nat(180),
      ttl: fc.nat(300),
      size: fc.constantFrom("1K", "16K", "4096K"),
      credits: fc.constantFrom(0, 1),
    });
    const requests = fc.array(fc.record({ gapMs: fc.nat(240_000), path: fc.constantFrom("/", "/wp-content/themes/t/style.css", "/wp-includes/js/a.js", "/?p=1") }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(settings, requests, fc.nat(100), fc.integer({ min: 1, max: 100 }), async (w, reqs, d, extra) => {
        const s = wordpress(w);
        const slower = await wordpressDurations(s, d + extra, reqs);
        const base = await wordpressDurations(s, d, reqs);
        slower.forEach((ms, i) => expect(ms, `request ${i + 1}`).toBeGreaterThanOrEqual(base[i]!));
      }),
      { numRuns: 60 },
    );
  });
});
