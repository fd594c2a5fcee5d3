/**
 * The sandbox's EFS API through @aws-sdk/client-efs, as an operator's script or gameday's faults
 * call it: the stack's file system, its mount targets (one per AZ, with their IPs) and access
 * points; UpdateFileSystem changes the throughput mode, which EFS allows once per 24 hours (a
 * provisioned increase at any time); errors are EFS's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, DescribeMountTargetsCommand, UpdateFileSystemCommand } from "@aws-sdk/client-efs";
import { ListFunctionsCommand, GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { harness, type Harness } from "../harness.js";
import { classifyError } from "../../../src/retry/classify.js";

// Without the stack's viewer load: a day of it would be millions of simulated requests.
const WORDPRESS = readFileSync(join(import.meta.dirname, "../../../fixtures/stacks/wordpress.yaml"), "utf8").replace(/^load:\n  wordpress: .*$/m, "");
const FS = "fs-0123456789abcdef0";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("EFS Describe calls on the sandbox", () => {
  it("DescribeFileSystems names the stack's file system with its modes; an unknown id is FileSystemNotFound", async () => {
    h = await harness(WORDPRESS);
    const efs = await h.clients.efs();
    const out = await efs.send(new DescribeFileSystemsCommand({}));
    expect(out.FileSystems).toHaveLength(1);
    expect(out.FileSystems![0]).toMatchObject({ FileSystemId: FS, Name: "wordpress", PerformanceMode: "generalPurpose", ThroughputMode: "bursting", LifeCycleState: "available", NumberOfMountTargets: 2 });
    expect(out.FileSystems![0]!.SizeInBytes!.Value).toBe(2 * 1024 ** 3);
    await expect(efs.send(new DescribeFileSystemsCommand({ FileSystemId: "fs-00000000000000000" }))).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
  });

  it("DescribeMountTargets: one per AZ with its subnet and IP, as the file system's clients reach it", async () => {
    h = await harness(WORDPRESS);
    const efs = await h.clients.efs();
    const out = await efs.send(new DescribeMountTargetsCommand({ FileSystemId: FS }));
    const model = h.sandbox.efs!.byId(FS)!.mountTargets;
    expect(out.MountTargets!.map((t) => [t.AvailabilityZoneName, t.IpAddress, t.SubnetId, t.LifeCycleState])).toEqual(model.map((t) => [t.az, t.ip, t.subnetId, "available"]));
    expect(out.MountTargets!.map((t) => t.AvailabilityZoneName)).toEqual(["us-east-1a", "us-east-1b"]);
    await expect(efs.send(new DescribeMountTargetsCommand({}))).rejects.toMatchObject({ name: "BadRequest" });
  });

  it("DescribeAccessPoints: the function's access point with its root directory and POSIX user", async () => {
    h = await harness(WORDPRESS);
    const efs = await h.clients.efs();
    const out = await efs.send(new DescribeAccessPointsCommand({ FileSystemId: FS }));
    expect(out.AccessPoints).toEqual([expect.objectContaining({ Name: "wp-root", FileSystemId: FS, RootDirectory: { Path: "/roots/wp-lambda" }, PosixUser: { Uid: 1000, Gid: 1000 } })]);
  });
});

describe("UpdateFileSystem on the sandbox", () => {
  it("switches to provisioned (PermittedThroughput follows); a second mode change within 24 h is TooManyRequests", async () => {
    h = await harness(WORDPRESS);
    const efs = await h.clients.efs();
    const fs = h.sandbox.efs!.byId(FS)!;
    const out = await efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 1 }));
    expect(out).toMatchObject({ ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 1 });
    expect(fs.permittedThroughput()).toBe(1024 * 1024);
    await h.advance(3_600_000);
    await expect(efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ThroughputMode: "bursting" }))).rejects.toMatchObject({ name: "TooManyRequests", $metadata: { httpStatusCode: 429 } });
    // An increase is allowed at any time; a decrease is not.
    await efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ProvisionedThroughputInMibps: 50 }));
    await expect(efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ProvisionedThroughputInMibps: 10 }))).rejects.toMatchObject({ name: "TooManyRequests" });
    await h.advance(23 * 3_600_000);
    await efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ThroughputMode: "bursting" }));
    expect((await efs.send(new DescribeFileSystemsCommand({ FileSystemId: FS }))).FileSystems![0]).toMatchObject({ ThroughputMode: "bursting" });
  });

  it("EFS's TooManyRequests is not retried: no retry clears a 24-hour limit (Lambda's TooManyRequestsException still is)", () => {
    expect(classifyError({ name: "TooManyRequests", $metadata: { httpStatusCode: 429 } })).toBe("client");
    expect(classifyError({ name: "TooManyRequestsException", $metadata: { httpStatusCode: 429 } })).toBe("throttling");
  });

  it("refuses provisioned without a rate, as EFS does", async () => {
    h = await harness(WORDPRESS);
    const efs = await h.clients.efs();
    await expect(efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ThroughputMode: "provisioned" }))).rejects.toMatchObject({ name: "BadRequest" });
  });
});

describe("EFS and Lambda on a stack that has neither", () => {
  it("answer as AWS does an account without them: empty lists, and their own not-found errors", async () => {
    h = await harness(readFileSync(join(import.meta.dirname, "../../../fixtures/stacks/default.yaml"), "utf8"));
    const efs = await h.clients.efs();
    expect((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toEqual([]);
    await expect(efs.send(new DescribeFileSystemsCommand({ FileSystemId: FS }))).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
    await expect(efs.send(new DescribeMountTargetsCommand({ FileSystemId: FS }))).rejects.toMatchObject({ name: "FileSystemNotFound" });
    expect((await efs.send(new DescribeAccessPointsCommand({}))).AccessPoints).toEqual([]);
    await expect(efs.send(new DescribeAccessPointsCommand({ FileSystemId: FS }))).rejects.toMatchObject({ name: "FileSystemNotFound" });
    await expect(efs.send(new UpdateFileSystemCommand({ FileSystemId: FS, ThroughputMode: "elastic" }))).rejects.toMatchObject({ name: "FileSystemNotFound", $metadata: { httpStatusCode: 404 } });
    const lambda = await h.clients.lambda();
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "wordpress" }))).rejects.toMatchObject({ name: "ResourceNotFoundException", message: expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d+:function:wordpress$/) });
  });
});
