/**
 * EC2 DescribeInstances answered as EC2 answers it for a region holding the given instances: only
 * the ids asked for (InstanceId.N), narrowed by the filters gameday sends (Filter.N.Name/Value.M),
 * in the XML of the recorded `spot` response. A scenario can then put instances of other clusters
 * in the region and see whether any of them reaches FIS.
 */
import { fixture, type Fixture, type RecordedCall } from "./aws-handlers.js";

export interface RegionInstance {
  id: string;
  az: string;
  lifecycle: "spot" | "on-demand";
  state?: "running" | "stopped";
  tags: Record<string, string>;
}

/** The form's numbered members: `InstanceId.1`, `InstanceId.2`... as a list. */
function numbered(form: Record<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form[`${prefix}.${i}`] !== undefined; i++) out.push(form[`${prefix}.${i}`]!);
  return out;
}

function matches(inst: RegionInstance, name: string, values: string[]): boolean {
  if (name === "instance-lifecycle") return inst.lifecycle === "spot" ? values.includes("spot") : false;
  if (name === "instance-state-name") return values.includes(inst.state ?? "running");
  if (name === "availability-zone") return values.includes(inst.az);
  if (name.startsWith("tag:")) return values.includes(inst.tags[name.slice(4)] ?? "\u0000");
  throw new Error(`ec2-region: filter ${name} is not imitated here; add it`);
}

function item(inst: RegionInstance): string {
  const state = inst.state ?? "running";
  const tags = Object.entries(inst.tags).map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`).join("");
  return (
    `<item><reservationId>r-${inst.id.slice(2)}</reservationId><ownerId>111122223333</ownerId><groupSet/><instancesSet><item>` +
    `<instanceId>${inst.id}</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>${state === "running" ? 16 : 80}</code><name>${state}</name></instanceState>` +
    `<instanceType>m5.large</instanceType><placement><availabilityZone>${inst.az}</availabilityZone><tenancy>default</tenancy></placement>` +
    (inst.lifecycle === "spot" ? `<instanceLifecycle>spot</instanceLifecycle>` : "") +
    `<tagSet>${tags}</tagSet></item></instancesSet></item>`
  );
}

/** A DescribeInstances reply for a region holding `instances`. */
export function describeInstancesIn(instances: RegionInstance[]): (call: RecordedCall) => Fixture["response"] {
  return (call) => {
    const form = call.body as Record<string, string>;
    const ids = numbered(form, "InstanceId");
    const filters: { name: string; values: string[] }[] = [];
    for (let i = 1; form[`Filter.${i}.Name`] !== undefined; i++) filters.push({ name: form[`Filter.${i}.Name`]!, values: numbered(form, `Filter.${i}.Value`) });
    // EC2 refuses the whole call when one asked id does not exist in the region.
    if (ids.some((id) => !instances.some((inst) => inst.id === id))) return fixture("ec2", "DescribeInstances", "not-found").response;
    const found = instances.filter((inst) => (ids.length === 0 || ids.includes(inst.id)) && filters.every((f) => matches(inst, f.name, f.values)));
    const response = fixture("ec2", "DescribeInstances", "spot").response;
    response.body = (response.body as string).replace(/<reservationSet>.*<\/reservationSet>/s, `<reservationSet>${found.map(item).join("")}</reservationSet>`);
    return response;
  };
}
