/**
 * The EFS API of `chaos sandbox serve`, read and changed by another client than ours: the AWS CLI
 * (botocore, restJson) finds the WordPress stack's file system, its mount targets and access
 * point, switches it to provisioned throughput, and is refused a second mode change within 24
 * hours with EFS's TooManyRequests. And `chaos run --target <url>` finds the served FIS offers
 * gameday's NFS latency action (GetAction over HTTP) and runs efs-latency there.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, hasAwsCli } from "./aws-cli.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, servesForThisFile, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const FS = "fs-0123456789abcdef0";
const serve = servesForThisFile();
let served: Served | undefined;
beforeAll(async () => {
  if (!hasAwsCli) return;
  served = await serve(["--seed", "7", "--speed", "60", "--stack", `${REPO}fixtures/stacks/wordpress.yaml`]);
}, 60_000);

const aws = (...args: string[]) => awsCli(served!.endpoint, ["efs", ...args]);

describe.skipIf(!hasAwsCli)("the AWS CLI reads and changes EFS on chaos sandbox serve", () => {
  it("efs describe-file-systems, describe-mount-targets and describe-access-points: the WordPress file system", async () => {
    const fss = (await aws("describe-file-systems")) as { FileSystems: { FileSystemId: string; Name: string; ThroughputMode: string; NumberOfMountTargets: number }[] };
    expect(fss.FileSystems).toEqual([expect.objectContaining({ FileSystemId: FS, Name: "wordpress", ThroughputMode: "bursting", NumberOfMountTargets: 2 })]);
    const mts = (await aws("describe-mount-targets", "--file-system-id", FS)) as { MountTargets: { IpAddress: string; AvailabilityZoneName: string; LifeCycleState: string }[] };
    expect(mts.MountTargets.map((t) => [t.AvailabilityZoneName, t.IpAddress, t.LifeCycleState])).toEqual([
      ["us-east-1a", "10.0.1.10", "available"],
      ["us-east-1b", "10.0.2.10", "available"],
    ]);
    const aps = (await aws("describe-access-points", "--file-system-id", FS)) as { AccessPoints: { Name: string; RootDirectory: { Path: string } }[] };
    expect(aps.AccessPoints).toEqual([expect.objectContaining({ Name: "wp-root", RootDirectory: { Path: "/roots/wp-lambda" } })]);
    await expect(aws("describe-file-systems", "--file-system-id", "fs-00000000000000000")).rejects.toThrow(/FileSystemNotFound/);
  });

  it("efs update-file-system: provisioned at 1 MiB/s, then TooManyRequests for a second mode change", async () => {
    const updated = await aws("update-file-system", "--file-system-id", FS, "--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps", "1");
    expect(updated).toMatchObject({ FileSystemId: FS, ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 1 });
    await expect(aws("update-file-system", "--file-system-id", FS, "--throughput-mode", "bursting")).rejects.toThrow(/TooManyRequests.*maximum number of throughput mode changes/s);
  });
});

describe.skipIf(!hasAwsCli)("efs-latency through --target on chaos sandbox serve", () => {
  it("runs against the served WordPress: the served FIS offers gameday:efs:nfs-latency", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "slow-efs.yaml"),
      `title: EFS slows down under WordPress
method:
  - fault: efs-latency
    name: slow-nfs
    target: { fileSystem: wordpress, function: wordpress }
    with: { delayMilliseconds: 20, duration: PT1M }
  - pause: PT70S
`,
    );
    const r = await chaos(["run", "slow-efs.yaml", "--target", served!.endpoint, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ slow-nfs landed: FIS reports the NFS latency action (running|completed)/);
  });
});
