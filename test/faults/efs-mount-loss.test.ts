/**
 * efs-mount-loss: ECS tasks get FIS's aws:ecs:task-network-blackhole-port on NFS (2049/tcp egress,
 * the fault injection endpoints on Fargate), which the sandbox's FIS holds on the chosen tasks for
 * the duration; Lambda clients whose mount targets share their subnets cannot be cut off by a
 * network ACL, and the resolution says so with the closest real alternative.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadFault } from "../../src/faults/index.js";
import { startFault } from "../../src/faults/fis-runner.js";
import { rig, stackYaml, type Rig } from "./rig.js";

const WORDPRESS = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/wordpress.yaml"), "utf8");
const ACCOUNT = "123456789012";
/** A web service on EC2 and a worker on Fargate, beside a file system they could mount. */
const ECS_WITH_EFS =
  stackYaml({
    services: `  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, targetGroup: web }
  - { name: worker, cluster: prod, taskDefinition: batch, launchType: FARGATE, desiredCount: 2 }`,
  }) +
  `
efs:
  fileSystems:
    - { name: shared, id: fs-0aaaaaaaaaaaaaaaa, sizeGiB: 10 }
`;

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** resolve, pick as the preflight does (the first `hits`), compile, start. */
async function start(r: Rig, target: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const m = (await loadFault("efs-mount-loss"))!;
  const p = m.params.parse(params);
  const t = m.target.parse(target);
  const res = await m.resolve!({ params: p, target: t, aws: r.h.clients, region: "us-east-1", accountId: ACCOUNT });
  const chosen = res.candidates.slice(0, res.hits);
  const fragment = m.compile({ params: p, target: t, configuration: {}, region: "us-east-1", accountId: ACCOUNT, chosen, ...(res.compileWith ? { resolved: res.compileWith } : {}) });
  const signal = new AbortController().signal;
  const fault = await startFault({ runId: "rig", stepName: "mount-loss", module: m, params: p, target: t, fragment, services: r.services, run: r.run, ledger: r.ledger, signal, accountId: ACCOUNT, configuration: {} });
  return { res, fragment, chosen, verify: () => m.verify({ ...r.services, params: p, target: t, run: r.run, fault, signal }) };
}

describe("efs-mount-loss, ECS tasks", () => {
  it("blackholes NFS egress on the chosen EC2 task, and says what an EC2 task's namespace does not carry", async () => {
    r = await rig(ECS_WITH_EFS);
    const s = await start(r, { fileSystem: "shared", cluster: "prod", service: "web" }, { duration: "PT2M" });
    expect(s.res.candidates).toHaveLength(3);
    expect(s.fragment.actions).toEqual({ mountLoss: { actionId: "aws:ecs:task-network-blackhole-port", parameters: { duration: "PT2M", port: "2049", protocol: "tcp", trafficType: "egress" }, targets: { Tasks: "tasks" } } });
    expect(s.fragment.targets.tasks).toEqual({ resourceType: "aws:ecs:task", resourceArns: [s.chosen[0]!.arn], selectionMode: "ALL" });
    expect(s.fragment.description).toContain("outside the task's network namespace");
    expect((await s.verify()).landed).toBe(true);
    expect(r.h.sandbox.hostFaults.inForce().map((f) => [f.resourceArn, f.parameters.port])).toEqual([[s.chosen[0]!.arn, "2049"]]);
    await r.h.advance(130_000);
    expect(r.h.sandbox.hostFaults.inForce()).toEqual([]);
  });

  it("uses the ECS fault injection endpoints on Fargate, as FIS requires there", async () => {
    r = await rig(ECS_WITH_EFS);
    const s = await start(r, { fileSystem: "fs-0aaaaaaaaaaaaaaaa", cluster: "prod", service: "worker" });
    expect(s.fragment.actions.mountLoss!.parameters).toMatchObject({ useEcsFaultInjectionEndpoints: "true" });
    expect(s.fragment.description).not.toContain("outside the task's network namespace");
    expect((await s.verify()).landed).toBe(true);
    expect(r.h.sandbox.hostFaults.inForce()).toHaveLength(1);
  });
});

describe("efs-mount-loss, Lambda", () => {
  it("cannot cut a function off from mount targets in its own subnets: the resolution says why and names lambda-error", async () => {
    r = await rig(WORDPRESS);
    const m = (await loadFault("efs-mount-loss"))!;
    const p = m.params.parse({ prefixListIdentifier: "pl-0123456789abcdef0" });
    const t = m.target.parse({ fileSystem: "wordpress", function: "wordpress" });
    const res = await m.resolve!({ params: p, target: t, aws: r.h.clients, region: "us-east-1", accountId: ACCOUNT });
    expect(res.candidates.map((c) => c.id)).toEqual(["wordpress"]);
    expect(res.unavailable).toMatch(/^aws:network:disrupt-connectivity cannot cut wordpress off from fs-0123456789abcdef0: its mount targets 10\.0\.1\.10 \(subnet-[\w-]+\), 10\.0\.2\.10 \(subnet-[\w-]+\) sit in the function's own subnets, and the network ACL FIS swaps in does not filter traffic within a subnet/);
    expect(res.unavailable).toContain("lambda-error fault (aws:lambda:invocation-error)");
    expect(m.compile({ params: p, target: t, configuration: {}, region: "us-east-1", accountId: ACCOUNT, resolved: res.compileWith! }).actions).toEqual({});
  });

  it("compiles to disrupt-connectivity with the prefix list on the function's subnets when they hold no mount target", async () => {
    const m = (await loadFault("efs-mount-loss"))!;
    const p = m.params.parse({ prefixListIdentifier: "pl-0123456789abcdef0", duration: "PT3M" });
    const t = m.target.parse({ fileSystem: "wordpress", function: "wordpress" });
    const fragment = m.compile({ params: p, target: t, configuration: {}, region: "us-east-1", accountId: "111122223333", resolved: { fileSystemId: "fs-0123456789abcdef0", ips: ["10.0.1.23"], subnets: ["subnet-0lambda1"] } });
    expect(fragment.targets).toEqual({ subnets: { resourceType: "aws:ec2:subnet", resourceArns: ["arn:aws:ec2:us-east-1:111122223333:subnet/subnet-0lambda1"], selectionMode: "ALL" } });
    expect(fragment.actions).toEqual({ mountLoss: { actionId: "aws:network:disrupt-connectivity", parameters: { duration: "PT3M", scope: "prefix-list", prefixListIdentifier: "pl-0123456789abcdef0" }, targets: { Subnets: "subnets" } } });
  });

  it("the step names one kind of client", async () => {
    const m = (await loadFault("efs-mount-loss"))!;
    expect(m.target.safeParse({ fileSystem: "wordpress" }).success).toBe(false);
    expect(m.target.safeParse({ fileSystem: "wordpress", function: "wordpress", cluster: "prod", service: "web" }).success).toBe(false);
    expect(m.target.safeParse({ fileSystem: "wordpress", cluster: "prod" }).success).toBe(false);
    const issue = (t: Record<string, unknown>) => m.target.safeParse(t).error!.issues[0]!;
    expect(issue({ fileSystem: "wordpress" })).toMatchObject({ path: ["function"], params: { expected: "the clients: function (Lambda) or cluster and service (ECS tasks)", found: "neither" } });
    expect(issue({ fileSystem: "wordpress", cluster: "prod" })).toMatchObject({ path: ["service"], params: { expected: "both cluster and service for ECS clients" } });
  });
});
