/**
 * EFS pinned to the user guide's figures (performance.html): per-operation latency, bursting
 * credits that drain and refill at the baseline, reads metered at a third, and the NFS-path
 * faults (latency, throughput starvation, a lost mount target).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { EfsService, NfsError } from "../../../src/sandbox/services/efs/index.js";
import type { EfsConfig } from "../../../src/sandbox/stack/efs.js";
import { VirtualClock } from "../../../src/time/clock.js";
import { minuteOf } from "../../../src/sandbox/metrics/period.js";
import { RecordingSink } from "../metrics/recording-sink.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
type FsSpec = EfsConfig["fileSystems"][number];

function setUp(spec: Partial<FsSpec> = {}) {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(5) });
  const sink = new RecordingSink();
  const full: FsSpec = { name: "wp", performanceMode: "generalPurpose", throughputMode: "bursting", sizeGiB: 100, oneZone: false, accessPoints: [], ...spec };
  const subnets = [
    { id: "subnet-a", az: "us-east-1a" },
    { id: "subnet-b", az: "us-east-1b" },
  ];
  const efs = new EfsService(kernel, { fileSystems: [full] }, subnets, sink);
  return { clock, efs, fs: efs.fileSystems[0]!, sink };
}

describe("EFS per-operation latency (General Purpose, performance.html)", () => {
  it("reads, opens and stats take 250 µs, writes 2.7 ms Regional and 1.6 ms One Zone; Max I/O is slower", () => {
    // Each on an idle file system, so that nothing queues ahead of it.
    const first = (op: "open" | "stat" | "read" | "write", spec: Partial<FsSpec> = {}) => {
      const { fs } = setUp({ throughputMode: "elastic", ...spec });
      fs.mount("c1", "us-east-1a");
      return fs.operate("c1", op, 0);
    };
    expect(first("read")).toBeCloseTo(0.25, 6);
    // Metadata operations move 4 KiB: a few nanoseconds at Elastic's rates.
    expect(first("open")).toBeCloseTo(0.25, 2);
    expect(first("stat")).toBeCloseTo(0.25, 2);
    expect(first("write")).toBeCloseTo(2.7, 6);
    const oneZone = setUp({ throughputMode: "elastic", oneZone: true }).fs;
    oneZone.mount("c1", "us-east-1a");
    expect(oneZone.operate("c1", "write", 0)).toBeCloseTo(1.6, 6);
    // One Zone: a single mount target, in the first AZ.
    expect(oneZone.mountTargets.map((t) => t.az)).toEqual(["us-east-1a"]);
    const maxIo = setUp({ throughputMode: "elastic", performanceMode: "maxIO" }).fs;
    maxIo.mount("c1", "us-east-1a");
    expect(maxIo.operate("c1", "read", 0)).toBeGreaterThan(0.25);
  });
});

describe("EFS bursting throughput", () => {
  it("a new file system starts with 2.1 TiB of credits and bursts at 100 MiB/s", () => {
    const { fs } = setUp({ sizeGiB: 10 });
    expect(fs.burstCreditBalance()).toBe(2.1 * 1024 * GiB);
    expect(fs.permittedThroughput()).toBe(100 * MiB);
  });

  it("without credits it falls to the baseline, 50 KiB/s per GiB (1 MiB/s floor), and credits refill at that rate", async () => {
    const { clock, fs } = setUp({ sizeGiB: 100, burstCreditsGiB: 0 });
    expect(fs.permittedThroughput()).toBe(100 * 50 * 1024);
    await clock.sleep(60_000);
    expect(fs.burstCreditBalance()).toBe(60 * 100 * 50 * 1024);
    expect(setUp({ sizeGiB: 2, burstCreditsGiB: 0 }).fs.permittedThroughput()).toBe(1 * MiB);
  });

  it("writes above the baseline drain the credits byte for byte; reads are metered at a third", () => {
    const { fs } = setUp({ burstCreditsGiB: 1 });
    fs.mount("c1", "us-east-1a");
    fs.operate("c1", "write", 30 * MiB);
    expect(fs.burstCreditBalance()).toBe(GiB - 30 * MiB);
    fs.operate("c1", "read", 30 * MiB);
    expect(fs.burstCreditBalance()).toBe(GiB - 40 * MiB);
  });

  it("with credits gone, a 1 MiB write queues behind the baseline: 5 MiB/s makes it 200 ms, the next one 400 ms", () => {
    const { fs } = setUp({ sizeGiB: 100, burstCreditsGiB: 0 });
    fs.mount("c1", "us-east-1a");
    expect(fs.operate("c1", "write", MiB)).toBeCloseTo(2.7 + 1000 / (100 * 50 / 1024), 3);
    expect(fs.operate("c1", "write", MiB)).toBeCloseTo(2.7 + 2 * (1000 / (100 * 50 / 1024)), 3);
  });
});

describe("EFS faults on the NFS path", () => {
  it("injected latency reaches only clients of the mount targets it names", () => {
    const { fs } = setUp({ throughputMode: "elastic" });
    fs.mount("a", "us-east-1a");
    fs.mount("b", "us-east-1b");
    fs.latencyFaults.add({ delayMs: 50, jitterMs: 0, azs: new Set(["us-east-1a"]) });
    expect(fs.operate("a", "read")).toBeCloseTo(50.25, 6);
    expect(fs.operate("b", "read")).toBeCloseTo(0.25, 6);
  });

  it("throughput starvation caps the permitted throughput whatever the mode", () => {
    const { fs } = setUp({ throughputMode: "elastic" });
    fs.throughputCap = MiB;
    fs.mount("c1", "us-east-1a");
    expect(fs.permittedThroughput()).toBe(MiB);
    expect(fs.operate("c1", "write", MiB)).toBeCloseTo(1_002.7, 3);
  });

  it("a lost mount target refuses new mounts and fails I/O of the clients already mounted through it", () => {
    const { fs } = setUp();
    fs.mount("c1", "us-east-1a");
    fs.mountTargets[0]!.lost = true;
    expect(() => fs.operate("c1", "read", 10)).toThrow(NfsError);
    expect(() => fs.mount("c2", "us-east-1a")).toThrow(/does not answer on NFS port 2049/);
    expect(() => fs.mount("c3", "us-east-1c")).toThrow(/no mount target in us-east-1c/);
    fs.mount("c4", "us-east-1b");
  });

  it("more injected latency never makes an operation faster (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("open", "stat", "read", "write"), fc.nat(10 * MiB), fc.nat(500), fc.nat(500), (op, bytes, d1, extra) => {
        const time = (delay: number) => {
          const { fs } = setUp({ burstCreditsGiB: 0 });
          fs.mount("c", "us-east-1a");
          fs.latencyFaults.add({ delayMs: delay, jitterMs: 0 });
          fs.operate("c", "write", bytes);
          return fs.operate("c", op as "read", bytes);
        };
        expect(time(d1 + extra)).toBeGreaterThanOrEqual(time(d1));
      }),
    );
  });
});

describe("AWS/EFS", () => {
  it("per minute, by FileSystemId: bytes per operation, metered bytes, PercentIOLimit, connections, credits", async () => {
    const { clock, efs, fs, sink } = setUp({ burstCreditsGiB: 1 });
    const dims = { FileSystemId: fs.id };
    const start = minuteOf(clock.now());
    fs.mount("c1", "us-east-1a");
    fs.mount("c2", "us-east-1b");
    fs.operate("c1", "read", 3 * MiB);
    fs.operate("c2", "write", MiB);
    fs.operate("c2", "stat");
    await clock.sleep(60_000);
    efs.publishMetrics();
    expect(sink.find("DataReadIOBytes", dims)[0]!.statistics).toEqual({ sampleCount: 1, sum: 3 * MiB, minimum: 3 * MiB, maximum: 3 * MiB });
    expect(sink.sum("TotalIOBytes", dims)).toBe(4 * MiB + 4096);
    expect(sink.find("TotalIOBytes", dims)[0]!.statistics!.sampleCount).toBe(3);
    expect(sink.sum("MeteredIOBytes", dims)).toBe(2 * MiB + 4096);
    expect(sink.sum("ClientConnections", dims)).toBe(2);
    expect(sink.find("PercentIOLimit", dims)[0]).toMatchObject({ unit: "Percent", namespace: "AWS/EFS", storageResolution: 60, timestamp: start });
    expect(sink.find("BurstCreditBalance", dims)[0]).toMatchObject({ unit: "Bytes", value: fs.burstCreditBalance() });
    expect(sink.find("PermittedThroughput", dims)[0]).toMatchObject({ unit: "Bytes/Second", value: 100 * MiB });
    // A quiet minute: connections still count, no I/O metrics.
    await clock.sleep(60_000);
    efs.publishMetrics();
    expect(sink.find("TotalIOBytes", dims)).toHaveLength(1);
    expect(sink.find("ClientConnections", dims)).toHaveLength(2);
  });
});
