/**
 * The sandbox's EFS: the stack's file systems, each with one mount target per subnet AZ and its
 * access points, publishing AWS/EFS to the sandbox's CloudWatch every minute.
 */
import type { Kernel } from "../../kernel.js";
import type { MetricSink } from "../cloudwatch/sink.js";
import type { EfsConfig } from "../../stack/efs.js";
import type { SubnetSpec } from "../../stack/network.js";
import { EfsFileSystem } from "./file-system.js";
import { publishGauges, publishUsage } from "./metrics.js";
import { GiB } from "./performance.js";

export { EfsFileSystem, NfsError, type LatencyFault, type MountTarget } from "./file-system.js";
export { efsApi } from "./api.js";
export { registerEfsFis } from "./fis.js";

export class EfsService {
  readonly fileSystems: EfsFileSystem[] = [];

  constructor(
    private readonly kernel: Kernel,
    config: EfsConfig,
    subnets: readonly SubnetSpec[],
    private readonly sink: MetricSink,
  ) {
    const random = kernel.random.fork("efs");
    config.fileSystems.forEach((spec, i) => {
      const id = spec.id ?? `fs-${kernel.hex(17)}`;
      const fs = new EfsFileSystem(
        id,
        kernel.arn("elasticfilesystem", `file-system/${id}`),
        { ...spec, burstCreditBytes: spec.burstCreditsGiB === undefined ? undefined : spec.burstCreditsGiB * GiB },
        () => kernel.now(),
        random.fork(spec.name),
        (usage) => publishUsage(this.sink, fs, usage),
      );
      // One mount target per AZ: the first subnet of each AZ (a One Zone file system: the first AZ only).
      const zones = [...new Set(subnets.map((s) => s.az))].slice(0, spec.oneZone ? 1 : undefined);
      zones.forEach((az, z) => {
        const subnet = subnets.find((s) => s.az === az)!;
        fs.mountTargets.push({ id: `fsmt-${kernel.hex(17)}`, az, subnetId: subnet.id, ip: `10.0.${z + 1}.${10 + i}`, lost: false });
      });
      for (const ap of spec.accessPoints) {
        const apId = `fsap-${kernel.hex(17)}`;
        fs.accessPoints.push({ id: apId, arn: kernel.arn("elasticfilesystem", `access-point/${apId}`), ...ap });
      }
      this.fileSystems.push(fs);
    });
  }

  byName(name: string): EfsFileSystem | undefined {
    return this.fileSystems.find((f) => f.spec.name === name);
  }

  byId(id: string): EfsFileSystem | undefined {
    return this.fileSystems.find((f) => f.id === id);
  }

  /** At the start of each minute: the ended minute's operations, connections and gauges. */
  publishMetrics(): void {
    const ended = Math.floor(this.kernel.now() / 60_000) * 60_000 - 60_000;
    for (const fs of this.fileSystems) {
      fs.flush();
      publishGauges(this.sink, fs, ended);
    }
  }
}
