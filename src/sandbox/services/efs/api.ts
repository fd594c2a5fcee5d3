/**
 * EFS's restJson1 API (version 2015-02-01) as @aws-sdk/client-efs, the AWS CLI and boto3 call it:
 * DescribeFileSystems, DescribeMountTargets, DescribeAccessPoints and UpdateFileSystem, with EFS's
 * errors (FileSystemNotFound, MountTargetNotFound, AccessPointNotFound, BadRequest, and
 * TooManyRequests for a second throughput mode change or decrease within 24 hours).
 * Shapes: botocore/data/efs/2015-02-01/service-2.json; API reference API_DescribeFileSystems.html,
 * API_DescribeMountTargets.html, API_DescribeAccessPoints.html, API_UpdateFileSystem.html.
 */
import { RestReply, type RestService } from "../../protocol/dispatcher.js";
import { AwsServiceError } from "../../protocol/types.js";
import type { Kernel } from "../../kernel.js";
import { DEFAULT_VPC_ID } from "../network/subnets.js";
import { GiB } from "./performance.js";
import { ThroughputChangeRefused, type EfsFileSystem } from "./file-system.js";
import type { EfsService } from "./index.js";

const V = "/2015-02-01";
const THROUGHPUT_MODES = ["bursting", "provisioned", "elastic"] as const;

/** EFS's error bodies carry ErrorCode and Message (the SDK reads the type from x-amzn-ErrorType). */
function efsError(code: string, message: string, status: number): AwsServiceError {
  return new AwsServiceError(code, message, status);
}

export function efsApi(kernel: Kernel, efs: EfsService): RestService {
  const fileSystem = (id: string | undefined): EfsFileSystem => {
    const wanted = id?.startsWith("arn:") ? id.slice(id.lastIndexOf("/") + 1) : id;
    const fs = wanted === undefined ? undefined : efs.byId(wanted);
    if (!fs) throw efsError("FileSystemNotFound", `File system '${id ?? ""}' does not exist.`, 404);
    return fs;
  };
  // The stack's boot: when EFS says the file systems were created.
  const created = Math.floor(kernel.now() / 1000);

  const describeFs = (fs: EfsFileSystem) => ({
    OwnerId: kernel.accountId,
    CreationToken: `gameday-${fs.spec.name}`,
    FileSystemId: fs.id,
    FileSystemArn: fs.arn,
    CreationTime: created,
    LifeCycleState: "available",
    Name: fs.spec.name,
    NumberOfMountTargets: fs.mountTargets.length,
    SizeInBytes: { Value: Math.round(fs.spec.sizeGiB * GiB), Timestamp: Math.floor(kernel.now() / 1000), ValueInStandard: Math.round(fs.spec.sizeGiB * GiB) },
    PerformanceMode: fs.spec.performanceMode,
    Encrypted: true,
    ThroughputMode: fs.spec.throughputMode,
    ...(fs.spec.throughputMode === "provisioned" ? { ProvisionedThroughputInMibps: fs.spec.provisionedThroughputMiBps } : {}),
    ...(fs.spec.oneZone && fs.mountTargets[0] ? { AvailabilityZoneName: fs.mountTargets[0].az } : {}),
    Tags: [{ Key: "Name", Value: fs.spec.name }],
    FileSystemProtection: { ReplicationOverwriteProtection: "ENABLED" },
  });

  const mountTargets = () => efs.fileSystems.flatMap((fs) => fs.mountTargets.map((t) => ({ fs, t })));

  return {
    name: "efs",
    routes: [
      {
        method: "GET",
        path: `${V}/file-systems`,
        operation: "DescribeFileSystems",
        handler: ({ query }) => {
          if (query.CreationToken !== undefined && query.FileSystemId !== undefined) throw efsError("BadRequest", "Specify either CreationToken or FileSystemId, not both.", 400);
          let found = efs.fileSystems;
          if (query.FileSystemId !== undefined) found = [fileSystem(query.FileSystemId)];
          if (query.CreationToken !== undefined) found = found.filter((fs) => `gameday-${fs.spec.name}` === query.CreationToken);
          return { FileSystems: found.map(describeFs) };
        },
      },
      {
        method: "GET",
        path: `${V}/mount-targets`,
        operation: "DescribeMountTargets",
        handler: ({ query }) => {
          const given = ["FileSystemId", "MountTargetId", "AccessPointId"].filter((k) => query[k] !== undefined);
          if (given.length !== 1) throw efsError("BadRequest", "Specify exactly one of FileSystemId, MountTargetId or AccessPointId.", 400);
          let found = mountTargets();
          if (query.FileSystemId !== undefined) {
            const fs = fileSystem(query.FileSystemId);
            found = found.filter((m) => m.fs === fs);
          }
          if (query.MountTargetId !== undefined) {
            found = found.filter((m) => m.t.id === query.MountTargetId);
            if (found.length === 0) throw efsError("MountTargetNotFound", `Mount target '${query.MountTargetId}' does not exist.`, 404);
          }
          if (query.AccessPointId !== undefined) {
            const owner = efs.fileSystems.find((fs) => fs.accessPoints.some((a) => a.id === query.AccessPointId));
            if (!owner) throw efsError("AccessPointNotFound", `Access point '${query.AccessPointId}' does not exist.`, 404);
            found = found.filter((m) => m.fs === owner);
          }
          return {
            MountTargets: found.map(({ fs, t }) => ({
              OwnerId: kernel.accountId,
              MountTargetId: t.id,
              FileSystemId: fs.id,
              SubnetId: t.subnetId,
              LifeCycleState: "available",
              IpAddress: t.ip,
              NetworkInterfaceId: `eni-${t.id.slice(5)}`,
              AvailabilityZoneName: t.az,
              VpcId: DEFAULT_VPC_ID,
            })),
          };
        },
      },
      {
        method: "GET",
        path: `${V}/access-points`,
        operation: "DescribeAccessPoints",
        handler: ({ query }) => {
          if (query.AccessPointId !== undefined && query.FileSystemId !== undefined) throw efsError("BadRequest", "Specify either AccessPointId or FileSystemId, not both.", 400);
          let found = efs.fileSystems.flatMap((fs) => fs.accessPoints.map((a) => ({ fs, a })));
          if (query.FileSystemId !== undefined) {
            const fs = fileSystem(query.FileSystemId);
            found = found.filter((x) => x.fs === fs);
          }
          if (query.AccessPointId !== undefined) {
            found = found.filter((x) => x.a.id === query.AccessPointId);
            if (found.length === 0) throw efsError("AccessPointNotFound", `Access point '${query.AccessPointId}' does not exist.`, 404);
          }
          return {
            AccessPoints: found.map(({ fs, a }) => ({
              Name: a.name,
              Tags: [{ Key: "Name", Value: a.name }],
              AccessPointId: a.id,
              AccessPointArn: a.arn,
              FileSystemId: fs.id,
              PosixUser: { Uid: a.uid, Gid: a.gid },
              RootDirectory: { Path: a.path },
              OwnerId: kernel.accountId,
              LifeCycleState: "available",
            })),
          };
        },
      },
      {
        method: "PUT",
        path: `${V}/file-systems/{FileSystemId}`,
        operation: "UpdateFileSystem",
        status: 202,
        handler: ({ params, body }) => {
          const fs = fileSystem(params.FileSystemId);
          const mode = (body.ThroughputMode ?? fs.spec.throughputMode) as string;
          if (!(THROUGHPUT_MODES as readonly string[]).includes(mode)) throw efsError("BadRequest", `ThroughputMode must be one of ${THROUGHPUT_MODES.join(", ")}, not '${mode}'.`, 400);
          const mibps = body.ProvisionedThroughputInMibps as number | undefined;
          if (mibps !== undefined && (typeof mibps !== "number" || !(mibps >= 1))) throw efsError("BadRequest", "ProvisionedThroughputInMibps must be at least 1.0.", 400);
          if (mode === "provisioned" && mibps === undefined && fs.spec.throughputMode !== "provisioned") {
            throw efsError("BadRequest", "ProvisionedThroughputInMibps is required when ThroughputMode is provisioned.", 400);
          }
          if (mode !== "provisioned" && mibps !== undefined) throw efsError("BadRequest", "ProvisionedThroughputInMibps can be set only with ThroughputMode provisioned.", 400);
          try {
            fs.updateThroughput(mode as (typeof THROUGHPUT_MODES)[number], mibps);
          } catch (err) {
            if (err instanceof ThroughputChangeRefused) throw efsError("TooManyRequests", err.message, 429);
            throw err;
          }
          kernel.record("efs", "throughput-mode", `${fs.id}: throughput ${mode}${mode === "provisioned" ? ` ${fs.spec.provisionedThroughputMiBps} MiB/s` : ""} (UpdateFileSystem)`);
          return new RestReply(describeFs(fs), {}, 202);
        },
      },
    ],
  };
}
