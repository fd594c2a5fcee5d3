/**
 * More EFS latency never makes a request faster: the whole Lambda request (cold start with the
 * EFS mount, the workload's file operations, CPU and database time) on the sandbox's clock.
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
