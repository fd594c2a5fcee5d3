/**
 * The sandbox's EC2 (ec2Query) and STS (awsQuery) APIs as the pinned SDK clients see them: what an
 * operator, and gameday's target resolution, read to find a cluster's spot instances.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, type DescribeInstancesCommandInput, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
let ec2: EC2Client;
beforeAll(async () => {
  h = await harness(
    stackYaml({
      cluster: "  - name: prod\n  - name: batch",
      asg: [
        "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, spot: { count: 3, tags: { chaos: ok } } }",
        "  - { name: other, cluster: batch, instanceType: c5.large, onDemand: { count: 0 }, spot: { count: 2, tags: { team: batch } } }",
      ].join("\n"),
    }),
  );
  ec2 = await h.clients.ec2();
});
afterAll(() => h.close());

async function instances(input: DescribeInstancesCommandInput): Promise<Instance[]> {
  const out = await ec2.send(new DescribeInstancesCommand(input));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

describe("EC2 DescribeInstances", () => {
  it("lists every instance with its state, lifecycle, AZ and tags", async () => {
    const all = await instances({});
    expect(all).toHaveLength(8);
    const spot = all.filter((i) => i.InstanceLifecycle === "spot");
    expect(spot).toHaveLength(5);
    expect(all.filter((i) => i.InstanceLifecycle === undefined)).toHaveLength(3);
    for (const i of all) {
      expect(i.State).toEqual({ Code: 16, Name: "running" });
      expect(i.Placement?.AvailabilityZone).toMatch(/^us-east-1[abc]$/);
      expect(i.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    }
    expect(spot.map((i) => i.SpotInstanceRequestId)).toEqual(spot.map(() => expect.stringMatching(/^sir-/)));
  });

  it("filters by lifecycle, state, tag and availability zone together (AND across filters, OR across values)", async () => {
    const spotOk = await instances({ Filters: [{ Name: "instance-lifecycle", Values: ["spot"] }, { Name: "tag:chaos", Values: ["ok"] }, { Name: "instance-state-name", Values: ["running"] }] });
    expect(spotOk).toHaveLength(3);
    const zone = spotOk[0]!.Placement!.AvailabilityZone!;
    const inZone = await instances({ Filters: [{ Name: "tag:chaos", Values: ["ok"] }, { Name: "availability-zone", Values: [zone] }] });
    expect(inZone.every((i) => i.Placement?.AvailabilityZone === zone)).toBe(true);
    expect(inZone.length).toBeGreaterThan(0);
    const either = await instances({ Filters: [{ Name: "tag:team", Values: ["batch", "nobody"] }] });
    expect(either).toHaveLength(2);
    expect(await instances({ Filters: [{ Name: "instance-state-name", Values: ["stopped"] }] })).toEqual([]);
  });

  it("takes EC2's wildcards in filter values", async () => {
    expect(await instances({ Filters: [{ Name: "instance-type", Values: ["c5.*"] }] })).toHaveLength(2);
    expect(await instances({ Filters: [{ Name: "tag:chaos", Values: ["o?"] }] })).toHaveLength(3);
    expect(await instances({ Filters: [{ Name: "tag-key", Values: ["team"] }] })).toHaveLength(2);
  });

  it("finds instances by id and says which id does not exist", async () => {
    const [first] = await instances({});
    expect((await instances({ InstanceIds: [first!.InstanceId!] })).map((i) => i.InstanceId)).toEqual([first!.InstanceId]);
    await expect(instances({ InstanceIds: ["i-0123456789abcdef0"] })).rejects.toMatchObject({ name: "InvalidInstanceID.NotFound", message: expect.stringContaining("i-0123456789abcdef0") });
    await expect(instances({ InstanceIds: ["web-1"] })).rejects.toMatchObject({ name: "InvalidInstanceID.Malformed" });
  });

  it("pages with MaxResults and NextToken, every instance exactly once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      seen.push(...(out.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(8);
    expect(seen).toHaveLength(8);
  });

  it("rejects what EC2 rejects: an unknown filter, MaxResults out of range or with instance ids", async () => {
    await expect(instances({ Filters: [{ Name: "lifecycle", Values: ["spot"] }] })).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("'lifecycle'") });
    await expect(instances({ MaxResults: 2 })).rejects.toMatchObject({ name: "InvalidParameterValue" });
    const [first] = await instances({});
    await expect(instances({ MaxResults: 5, InstanceIds: [first!.InstanceId!] })).rejects.toMatchObject({ name: "InvalidParameterCombination" });
  });

  it("DescribeInstanceAttribute answers userData (the script writing the ECS agent's config) and instanceType", async () => {
    const [first] = await instances({ Filters: [{ Name: "instance-type", Values: ["c5.large"] }] });
    const id = first!.InstanceId!;
    const user = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "userData" }));
    expect(user.InstanceId).toBe(id);
    expect(Buffer.from(user.UserData!.Value!, "base64").toString()).toContain("echo ECS_CLUSTER=batch >> /etc/ecs/ecs.config");
    const type = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "instanceType" }));
    expect(type.InstanceType?.Value).toBe("c5.large");
  });
});

describe("STS GetCallerIdentity", () => {
  it("names the sandbox's account and the caller's role", async () => {
    const sts = await h.clients.sts();
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(h.sandbox.kernel.accountId);
    expect(me.Arn).toBe(`arn:aws:sts::${h.sandbox.kernel.accountId}:assumed-role/gameday-sandbox/gameday`);
  });
});
