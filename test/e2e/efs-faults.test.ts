/**
 * The EFS faults as a user runs them on the embedded sandbox's WordPress stack
 * (fixtures/stacks/wordpress.yaml): efs-latency on the Lambda function's NFS path, planned with
 * gameday's sandbox-only FIS action and run to its verdict.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { chaos, REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const WORDPRESS = join(REPO, "fixtures/stacks/wordpress.yaml");
const journal = (dir: string) => JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));

const LATENCY = `title: EFS slows down under WordPress
method:
  - fault: efs-latency
    name: slow-nfs
    target: { fileSystem: wordpress, function: wordpress }
    with: { delayMilliseconds: 20, jitterMilliseconds: 0, duration: PT1M }
  - pause: PT90S
`;

describe("efs-latency on the sandbox's WordPress", () => {
  it("chaos plan shows the resolved file system and gameday's sandbox-only NFS latency action", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "slow-efs.yaml"), LATENCY);
    const r = await chaos(["plan", "slow-efs.yaml", "--stack", WORDPRESS, "--seed", "7"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/slow-nfs \(efs-latency, .*\): 1 Lambda function wordpress mounting EFS wordpress \(fs-0123456789abcdef0, mount targets 10\.0\.1\.10, 10\.0\.2\.10\)/);
    expect(r.stdout).toContain('"actionId": "gameday:efs:nfs-latency"');
    expect(r.stdout).toContain('"fileSystemId": "fs-0123456789abcdef0"');
    expect(r.stdout).not.toContain("NOT ON THIS TARGET");
  });

  it("chaos run lands the latency on the function's NFS path and reverts it", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "slow-efs.yaml"), LATENCY);
    const r = await chaos(["run", "slow-efs.yaml", "--stack", WORDPRESS, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("efs: fs-0123456789abcdef0: +20 ms (jitter 0 ms) on NFS operations of wordpress (gameday:efs:nfs-latency)");
    expect(r.stdout).toContain("efs: fs-0123456789abcdef0: NFS latency removed");
    const fault = journal(dir).gameday.faults[0];
    expect(fault.verification.landed).toBe(true);
  });
});

const STARVE = `title: EFS throughput runs dry under WordPress
method:
  - fault: efs-throughput-starvation
    name: starve
    target: { fileSystem: wordpress }
    with: { throughputMiBps: 1 }
  - pause: PT2M
`;

describe("efs-throughput-starvation on the sandbox's WordPress", () => {
  it("chaos plan refuses a Bursting file system up front, saying why the undo would be blocked (exit 4)", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "starve.yaml"), STARVE);
    const r = await chaos(["plan", "starve.yaml", "--stack", WORDPRESS, "--seed", "7"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain("NOT ON THIS TARGET  EFS allows one throughput mode change per 24 hours");
    expect(r.stdout).toMatch(/starve \(efs-throughput-starvation\): no FIS template; set EFS wordpress to provisioned 1 MiB\/s until the rollbacks/);
  });

  it("chaos run starves a Provisioned file system and its rollback gives the throughput back", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "starve.yaml"), STARVE);
    const r = await chaos(["run", "starve.yaml", "--stack", join(REPO, "fixtures/stacks/wordpress-provisioned.yaml"), "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("efs: fs-0123456789abcdef0: throughput provisioned 1 MiB/s (UpdateFileSystem)");
    expect(r.stdout).toContain("efs: fs-0123456789abcdef0: throughput provisioned 64 MiB/s (UpdateFileSystem)");
    const fault = journal(dir).gameday.faults[0];
    expect(fault.verification).toMatchObject({ landed: true, evidence: { beforeMiBps: 64, afterMiBps: 1 } });
  });
});
