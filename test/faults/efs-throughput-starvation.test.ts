/**
 * efs-throughput-starvation on the sandbox: refused up front on a Bursting file system (its undo
 * would be a second mode change within 24 hours, which EFS refuses); on a Provisioned one it
 * lowers the rate through EFS UpdateFileSystem after writing its undo, verifies it, and the undo
 * raises it back (an increase, allowed at any time). A second starvation the same day meets EFS's
 * TooManyRequests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { loadFault } from "../../src/faults/index.js";
import { loadStack } from "../../src/sandbox/stack/load.js";
import { rig, type Rig } from "./rig.js";

const STACKS = join(import.meta.dirname, "../../fixtures/stacks");
const WORDPRESS = readFileSync(join(STACKS, "wordpress.yaml"), "utf8");
/** wordpress-provisioned.yaml's change, inline (the rig parses text, without a file to extend). */
const PROVISIONED = WORDPRESS.replace("throughputMode: bursting", "throughputMode: provisioned\n      provisionedThroughputMiBps: 64");
const FS = "fs-0123456789abcdef0";
const MiB = 1024 * 1024;

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function resolution(r: Rig, params: Record<string, unknown> = {}) {
  const m = (await loadFault("efs-throughput-starvation"))!;
  return m.resolve!({ params: m.params.parse(params), target: m.target.parse({ fileSystem: "wordpress" }), aws: r.h.clients, region: "us-east-1", accountId: "123456789012" });
}

describe("efs-throughput-starvation", () => {
  it("fixtures/stacks/wordpress-provisioned.yaml is wordpress.yaml at provisioned 64 MiB/s", () => {
    const stack = loadStack(join(STACKS, "wordpress-provisioned.yaml"));
    expect(stack.efs!.fileSystems[0]).toMatchObject({ id: FS, throughputMode: "provisioned", provisionedThroughputMiBps: 64 });
    expect(stack.lambdas!.functions.map((f) => f.name)).toEqual(["wordpress"]);
  });

  it("is refused up front on a Bursting file system: the undo would be a second mode change within 24 h", async () => {
    r = await rig(WORDPRESS);
    const res = await resolution(r);
    expect(res.candidates.map((c) => c.id)).toEqual([FS]);
    expect(res.unavailable).toMatch(/^EFS allows one throughput mode change per 24 hours: switching fs-0123456789abcdef0 from bursting mode to provisioned 1 MiB\/s is that change, so switching it back would be refused \(TooManyRequests\) for 24 hours/);
    // Nothing was changed by asking.
    expect(r.h.sandbox.efs!.byId(FS)!.spec.throughputMode).toBe("bursting");
  });

  it("has nothing to lower when the file system already provisions no more", async () => {
    r = await rig(PROVISIONED);
    expect((await resolution(r, { throughputMiBps: 64 })).unavailable).toMatch(/already provisions 64 MiB\/s, no more than throughputMiBps 64: there is nothing to lower/);
    expect((await resolution(r, { throughputMiBps: 2 })).unavailable).toBeUndefined();
  });

  it("lowers a provisioned rate with its undo already in the ledger, verifies it, and the undo raises it back", async () => {
    r = await rig(PROVISIONED);
    const fs = r.h.sandbox.efs!.byId(FS)!;
    expect(fs.permittedThroughput()).toBe(64 * MiB);
    const started = await r.start("efs-throughput-starvation", { fileSystem: "wordpress" }, { throughputMiBps: 1 });
    expect(r.ledger.pending().map((i) => i.undo)).toContainEqual({ type: "efs-restore-throughput", fileSystemId: FS, throughputMode: "provisioned", provisionedMiBps: 64 });
    expect(fs.permittedThroughput()).toBe(1 * MiB);
    const v = await started.verify();
    expect(v).toMatchObject({ landed: true, detail: expect.stringContaining("provisioned 64 -> 1 MiB/s") });
    const undone = await r.undoPending((type) => type === "efs-restore-throughput");
    expect(undone).toEqual([expect.objectContaining({ ok: true, detail: expect.stringContaining("has provisioned 64 MiB/s throughput again") })]);
    const efs = await r.h.clients.efs();
    expect((await efs.send(new DescribeFileSystemsCommand({ FileSystemId: FS }))).FileSystems![0]).toMatchObject({ ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 64 });
    // The same day, a second decrease is EFS's TooManyRequests.
    await expect(r.start("efs-throughput-starvation", { fileSystem: "wordpress" }, { throughputMiBps: 2 })).rejects.toMatchObject({ name: "TooManyRequests" });
  });
});
