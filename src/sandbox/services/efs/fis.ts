/**
 * What the sandbox's FIS can do to EFS clients: gameday's sandbox-only action
 * gameday:efs:nfs-latency (src/fis/catalog.ts, its gameday block), which adds the delay and
 * jitter to every NFS operation between the target functions' execution environments and the
 * file system's mount targets (file-system.ts LatencyFault): each open, stat, read and write, and
 * the round trips of a cold start's mount. Real FIS has no such action; on AWS the efs-latency
 * fault learns that from FIS GetAction and says so.
 */
import type { FisRegistry } from "../fis/registry.js";
import { describedAction, GAMEDAY_NFS_LATENCY } from "../../../fis/catalog.js";
import { durationMs } from "../../../fis/duration.js";
import type { LambdaService } from "../lambda/service.js";
import type { EfsService } from "./index.js";
import type { LatencyFault } from "./file-system.js";

export function registerEfsFis(registry: FisRegistry, efsOf: () => EfsService | undefined, lambdaOf: () => LambdaService | undefined): void {
  registry.addAction({
    ...describedAction(GAMEDAY_NFS_LATENCY),
    start(ctx, done, fail) {
      const p = ctx.parameters;
      // By id; by the Name EFS shows too, for a template compiled without a preflight (explore's candidates).
      const fs = efsOf()?.byId(p.fileSystemId ?? "") ?? efsOf()?.byName(p.fileSystemId ?? "");
      if (!fs) {
        fail(`File system ${p.fileSystemId ?? ""} does not exist.`, "InvalidTarget");
        return { stop() {} };
      }
      const functions = (ctx.targets.Functions ?? []).map((r) => lambdaOf()?.functions.get(r.arn.split(":")[6] ?? ""));
      const owners = functions.flatMap((f) => (f ? [f.environments] : []));
      const fault: LatencyFault = { delayMs: Number(p.delayMilliseconds ?? 0), jitterMs: Number(p.jitterMilliseconds ?? 0), clients: (id) => owners.some((e) => e.owns(id)) };
      fs.latencyFaults.add(fault);
      ctx.kernel.record("efs", "nfs-latency", `${fs.id}: +${fault.delayMs} ms (jitter ${fault.jitterMs} ms) on NFS operations of ${functions.map((f) => f?.spec.name ?? "?").join(", ")} (${GAMEDAY_NFS_LATENCY})`);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        fs.latencyFaults.delete(fault);
        ctx.kernel.record("efs", "nfs-latency", `${fs.id}: NFS latency removed`);
      };
      const cancel = ctx.kernel.clock.setTimer(durationMs(p.duration ?? "")!, () => {
        end();
        done();
      });
      return {
        stop() {
          cancel();
          end();
        },
      };
    },
  });
}
