/**
 * What FIS can do to EC2 in the sandbox: the resource types aws:ec2:spot-instance and
 * aws:ec2:instance (filters read the DescribeInstances shape: State.Name,
 * Placement.AvailabilityZone, InstanceId, ...), and the action
 * aws:ec2:send-spot-instance-interruptions (durationBeforeInterruption PT2M to PT15M).
 */
import type { FisRegistry, FisResource } from "../fis/registry.js";
import { durationMs } from "../../../fis/duration.js";
import { describedAction, describedResourceType } from "../../../fis/catalog.js";
import type { Ec2, Instance } from "./instances.js";
import type { SpotInterrupter } from "./spot.js";

export function registerEc2Fis(registry: FisRegistry, ec2: Ec2, interrupter: SpotInterrupter): void {
  const resource = (i: Instance): FisResource => ({
    arn: i.arn,
    info: { availabilityZone: i.az, instanceId: i.id },
    describe: ec2.describe(i),
    tags: i.tags,
  });
  const existing = () => ec2.all().filter((i) => i.state !== "terminated");

  registry.addResourceType({
    ...describedResourceType("aws:ec2:spot-instance"),
    candidates: () => existing().filter((i) => i.lifecycle === "spot").map(resource),
  });
  registry.addResourceType({
    ...describedResourceType("aws:ec2:instance"),
    candidates: () => existing().map(resource),
  });

  registry.addAction({
    ...describedAction("aws:ec2:send-spot-instance-interruptions"),
    start(ctx, done, fail) {
      const ms = durationMs(ctx.parameters.durationBeforeInterruption ?? "")!;
      const instances = ctx.targets.SpotInstances ?? [];
      let latest = 0;
      try {
        for (const r of instances) {
          const id = r.arn.slice(r.arn.lastIndexOf("/") + 1);
          latest = Math.max(latest, interrupter.interrupt(id, ms).at);
        }
      } catch (err) {
        fail(`Unable to interrupt the target Spot Instances: ${(err as Error).message}`);
        return { stop() {} };
      }
      // The action completes when the instances are interrupted. Stopping the experiment cannot
      // take back a notice EC2 has already issued, so stop() leaves the interruptions in place.
      const cancel = ctx.kernel.clock.setTimer(Math.max(0, latest - ctx.kernel.now()), done);
      return { stop: cancel };
    },
  });
}
