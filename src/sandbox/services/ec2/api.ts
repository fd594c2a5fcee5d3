/**
 * The EC2 API (ec2Query) over the sandbox's instances: DescribeInstances with the filters gameday
 * and operators use (instance-id, instance-lifecycle, instance-state-name, availability-zone,
 * tag:<key>, tag-key; `*` and `?` wildcards as EC2 takes them) and MaxResults/NextToken paging, and
 * DescribeInstanceAttribute. One entry per operation in `ec2Api(...).operations`; the element
 * names are EC2's wire names (reservationSet, instancesSet, tagSet, ...).
 */
import { AwsServiceError } from "../../protocol/types.js";
import { inputList, type QueryService } from "../../protocol/query.js";
import type { Kernel } from "../../kernel.js";
import type { Ec2, Instance } from "./instances.js";

export const EC2_API_VERSION = "2016-11-15";

const STATE_CODES: Record<string, number> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

type Filter = { Name?: string; Value?: string[] };

/** Each filter name EC2 documents that the sandbox answers, and what of an instance it matches. */
const FILTERS: Record<string, (i: Instance) => string[]> = {
  "instance-id": (i) => [i.id],
  "instance-lifecycle": (i) => (i.lifecycle === "spot" ? ["spot"] : []),
  "instance-state-name": (i) => [i.state],
  "instance-state-code": (i) => [String(STATE_CODES[i.state])],
  "availability-zone": (i) => [i.az],
  "instance-type": (i) => [i.type],
  "tag-key": (i) => Object.keys(i.tags),
};

/** `userDataOf` gives an instance's user data (base64), if it has any. */
export function ec2Api(kernel: Kernel, ec2: Ec2, userDataOf: (i: Instance) => string | undefined = () => undefined): QueryService {
  return {
    name: "ec2",
    version: EC2_API_VERSION,
    style: "ec2Query",
    xmlns: `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`,
    operations: {
      DescribeInstances: (input) => describeInstances(kernel, ec2, input),
      DescribeInstanceAttribute: (input) => describeInstanceAttribute(ec2, input, userDataOf),
    },
  };
}

function describeInstances(kernel: Kernel, ec2: Ec2, input: Record<string, unknown>): Record<string, unknown> {
  const ids = inputList(input.InstanceId);
  const filters = inputList(input.Filter) as Filter[];
  const maxResults = input.MaxResults === undefined ? undefined : Number(input.MaxResults);
  if (maxResults !== undefined) {
    if (ids.length > 0) throw new AwsServiceError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000) throw new AwsServiceError("InvalidParameterValue", `Value (${String(input.MaxResults)}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  for (const id of ids) {
    if (typeof id !== "string" || !/^i-[0-9a-f]{8,17}$/.test(id)) throw new AwsServiceError("InvalidInstanceID.Malformed", `Invalid id: "${String(id)}"`);
  }
  const missing = (ids as string[]).filter((id) => !ec2.get(id));
  if (missing.length > 0) throw new AwsServiceError("InvalidInstanceID.NotFound", `The instance ID${missing.length > 1 ? "s" : ""} '${missing.join(", ")}' do${missing.length > 1 ? "" : "es"} not exist`);
  const matchers = filters.map(compileFilter);

  const matching = ec2.all().filter((i) => (ids.length === 0 || ids.includes(i.id)) && matchers.every((m) => m(i)));
  const start = input.NextToken === undefined ? 0 : readToken(String(input.NextToken));
  const page = maxResults === undefined ? matching.slice(start) : matching.slice(start, start + maxResults);
  const next = start + page.length < matching.length && maxResults !== undefined ? start + page.length : undefined;
  return {
    // One reservation per instance: the sandbox launches instances one at a time, as an ASG does.
    reservationSet: page.map((i) => ({ reservationId: `r-${i.id.slice(2)}`, ownerId: kernel.accountId, groupSet: [], instancesSet: [wireInstance(kernel, i)] })),
    nextToken: next === undefined ? undefined : Buffer.from(`offset:${next}`).toString("base64"),
  };
}

function describeInstanceAttribute(ec2: Ec2, input: Record<string, unknown>, userDataOf: (i: Instance) => string | undefined): Record<string, unknown> {
  const id = String(input.InstanceId ?? "");
  const instance = ec2.get(id);
  if (!instance) throw new AwsServiceError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
  const attribute = String(input.Attribute ?? "");
  // An instance without user data gets an empty element, as EC2 answers.
  if (attribute === "userData") {
    const data = userDataOf(instance);
    return { instanceId: id, userData: data === undefined ? {} : { value: data } };
  }
  if (attribute === "instanceType") return { instanceId: id, instanceType: { value: instance.type } };
  if (attribute === "disableApiTermination") return { instanceId: id, disableApiTermination: { value: false } };
  throw new AwsServiceError("InvalidParameterValue", `Value (${attribute}) for parameter attribute is invalid. The sandbox answers userData, instanceType and disableApiTermination.`);
}

function wireInstance(kernel: Kernel, i: Instance): Record<string, unknown> {
  return {
    instanceId: i.id,
    imageId: "ami-0gameday00000000",
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    privateIpAddress: i.privateIp,
    instanceType: i.type,
    launchTime: kernel.iso(i.launchTime),
    placement: { availabilityZone: i.az, tenancy: "default" },
    instanceLifecycle: i.lifecycle === "spot" ? "spot" : undefined,
    spotInstanceRequestId: i.spotRequestId,
    tagSet: Object.entries(i.tags).map(([key, value]) => ({ key, value })),
  };
}

function compileFilter(filter: Filter): (i: Instance) => boolean {
  const name = filter.Name ?? "";
  const patterns = inputList(filter.Value).map((v) => globToRegex(String(v)));
  const read = name.startsWith("tag:") ? (i: Instance) => (name.slice(4) in i.tags ? [i.tags[name.slice(4)]!] : []) : FILTERS[name];
  if (!read) throw new AwsServiceError("InvalidParameterValue", `The filter '${name}' is invalid`);
  return (i) => read(i).some((v) => patterns.some((p) => p.test(v)));
}

/** EC2 filter values take `*` (any run) and `?` (one character); `\` escapes them. */
function globToRegex(glob: string): RegExp {
  let out = "";
  for (let k = 0; k < glob.length; k++) {
    const c = glob[k]!;
    if (c === "\\" && k + 1 < glob.length) out += escapeRegex(glob[++k]!);
    else if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else out += escapeRegex(c);
  }
  return new RegExp(`^${out}$`, "s");
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function readToken(token: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!m) throw new AwsServiceError("InvalidParameterValue", `Invalid value '${token}' for nextToken`);
  return Number(m[1]);
}
