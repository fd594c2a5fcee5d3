/**
 * efs-latency against the Lambda function of fixtures/stacks/wordpress.yaml: resolved read-only
 * (the file system by name, its mount targets, the function's access point, and whether FIS offers
 * gameday's NFS latency action), compiled to that action, and carried out by the sandbox's FIS on
 * every NFS operation of the function's execution environments, as invocations through
 * @aws-sdk/client-lambda show.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { loadFault } from "../../src/faults/index.js";
import { startFault } from "../../src/faults/fis-runner.js";
import { rig, stackYaml, type Rig } from "./rig.js";

// wordpress.yaml's function with the file-ops workload these counts are for (the stack's own is
// now the WordPress model, which needs HTTP API events), and without the stack's viewer load.
const WORDPRESS = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/wordpress.yaml"), "utf8")
  .replace(/^ {6}workload:\n[\s\S]*?(?=\n\n)/m, "      workload: { opens: 20, stats: 100, reads: 20, readBytes: 16384, cpu: 120ms, database: 30ms }")
  .replace(/^load:\n  wordpress: .*$/m, "");
const ACCOUNT = "123456789012";
/** The stack's workload: 20 opens, 100 stats and 20 reads on EFS per request. */
const NFS_OPS_PER_REQUEST = 140;

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function timed(r: Rig, lambda: LambdaClient) {
  const t0 = r.h.clock.now();
  const out = await lambda.send(new InvokeCommand({ FunctionName: "wordpress", Payload: Buffer.from("{}") }));
  return { ms: r.h.clock.now() - t0, error: out.FunctionError };
}

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

/** Resolves, compiles with what resolve learned, and starts the fault as a run's preflight and method do. */
async function startEfsLatency(r: Rig, target: Record<string, unknown>, params: Record<string, unknown>) {
  const release = r.h.clock.hold();
  const m = (await loadFault("efs-latency").finally(release))!;
  const p = m.params.parse(params);
  const t = m.target.parse(target);
  const region = r.h.sandbox.kernel.region;
  const resolution = await m.resolve!({ params: p, target: t, aws: r.h.clients, region, accountId: ACCOUNT });
  // Picked as the preflight does, here the first `hits` candidates.
  const chosen = resolution.picks ? resolution.candidates.slice(0, resolution.hits) : undefined;
  const fragment = m.compile({ params: p, target: t, configuration: {}, region, accountId: ACCOUNT, ...(chosen ? { chosen } : {}), ...(resolution.compileWith ? { resolved: resolution.compileWith } : {}) });
  const signal = new AbortController().signal;
  const fault = await startFault({ runId: "rig", stepName: "efs-latency-1", module: m, params: p, target: t, fragment, services: r.services, run: r.run, ledger: r.ledger, signal, accountId: ACCOUNT, configuration: {} });
  return { m, resolution, fragment, chosen, verify: () => m.verify({ ...r.services, params: p, target: t, run: r.run, fault, signal }) };
}

describe("efs-latency on the sandbox, Lambda clients", () => {
  it("resolves the file system by name to its id and mount-target IPs, and finds the sandbox's FIS offers the NFS action", async () => {
    r = await rig(WORDPRESS);
    const m = (await loadFault("efs-latency"))!;
    const p = m.params.parse({});
    const t = m.target.parse({ fileSystem: "wordpress", function: "wordpress" });
    const res = await m.resolve!({ params: p, target: t, aws: r.h.clients, region: "us-east-1", accountId: ACCOUNT });
    const ips = r.h.sandbox.efs!.byName("wordpress")!.mountTargets.map((mt) => mt.ip);
    expect(res.candidates).toEqual([{ arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:wordpress`, id: "wordpress" }]);
    expect(res.compileWith).toEqual({ fileSystemId: "fs-0123456789abcdef0", ips, nfsLatencyOffered: true });
    expect(res.unavailable).toBeUndefined();
    const fragment = m.compile({ params: p, target: t, configuration: {}, region: "us-east-1", accountId: ACCOUNT, resolved: res.compileWith! });
    expect(fragment.actions).toEqual({
      latency: { actionId: "gameday:efs:nfs-latency", parameters: { duration: "PT5M", fileSystemId: "fs-0123456789abcdef0", delayMilliseconds: "50", jitterMilliseconds: "10" }, targets: { Functions: "functions" } },
    });
  });

  it("a function that does not mount the file system resolves to nothing", async () => {
    r = await rig(WORDPRESS);
    const m = (await loadFault("efs-latency"))!;
    const res = await m.resolve!({ params: m.params.parse({}), target: m.target.parse({ fileSystem: "fs-0123456789abcdef0", function: "nope" }), aws: r.h.clients, region: "us-east-1", accountId: ACCOUNT });
    expect(res.candidates).toEqual([]);
  });

  it("adds the delay to each of a request's NFS operations while it runs, and nothing after", async () => {
    r = await rig(WORDPRESS);
    const lambda = await r.h.clients.lambda();
    await timed(r, lambda);
    const warm = await timed(r, lambda);
    const started = await startEfsLatency(r, { fileSystem: "wordpress", function: "wordpress" }, { delayMilliseconds: 20, jitterMilliseconds: 0, duration: "PT1M" });
    expect((await started.verify()).landed).toBe(true);
    const slow = await timed(r, lambda);
    expect(slow.error).toBeUndefined();
    expect(slow.ms - warm.ms).toBeCloseTo(NFS_OPS_PER_REQUEST * 20, 0);
    await r.h.advance(70_000);
    expect((await timed(r, lambda)).ms).toBeCloseTo(warm.ms, 0);
  });

  it("enough latency pushes requests past the function's 30 s timeout", async () => {
    r = await rig(WORDPRESS);
    const lambda = await r.h.clients.lambda();
    await timed(r, lambda);
    await startEfsLatency(r, { fileSystem: "wordpress", function: "wordpress" }, { delayMilliseconds: 250, jitterMilliseconds: 0, duration: "PT2M" });
    const out = await timed(r, lambda);
    expect(out.error).toBe("Unhandled");
    expect(out.ms).toBeCloseTo(30_000, -2);
  });
});

describe("efs-latency on the sandbox, ECS clients", () => {
  it("Fargate tasks: aws:ecs:task-network-latency with the mount targets as sources, through the ECS fault injection endpoints", async () => {
    r = await rig(ECS_WITH_EFS);
    const s = await startEfsLatency(r, { fileSystem: "shared", cluster: "prod", service: "worker" }, { delayMilliseconds: 40, duration: "PT2M" });
    const ips = r.h.sandbox.efs!.byId("fs-0aaaaaaaaaaaaaaaa")!.mountTargets.map((mt) => mt.ip);
    expect(ips).toHaveLength(3);
    expect(s.fragment.targets.tasks).toEqual({ resourceType: "aws:ecs:task", resourceArns: [s.chosen![0]!.arn], selectionMode: "ALL" });
    expect(s.fragment.actions).toEqual({
      latency: { actionId: "aws:ecs:task-network-latency", parameters: { duration: "PT2M", delayMilliseconds: "40", jitterMilliseconds: "10", sources: ips.join(","), useEcsFaultInjectionEndpoints: "true" }, targets: { Tasks: "tasks" } },
    });
    expect((await s.verify()).landed).toBe(true);
    expect(r.h.sandbox.hostFaults.inForce().map((f) => [f.actionId, f.resourceArn, f.parameters.sources])).toEqual([["aws:ecs:task-network-latency", s.chosen![0]!.arn, ips.join(",")]]);
  });

  it("EC2 tasks: the latency goes on their hosts, aws:ssm:send-command with AWSFIS-Run-Network-Latency-Sources", async () => {
    r = await rig(ECS_WITH_EFS);
    const s = await startEfsLatency(r, { fileSystem: "shared", cluster: "prod", service: "web" }, { delayMilliseconds: 40, jitterMilliseconds: 0, duration: "PT2M" });
    const ips = r.h.sandbox.efs!.byId("fs-0aaaaaaaaaaaaaaaa")!.mountTargets.map((mt) => mt.ip);
    const task = r.h.sandbox.ecs.clusters.get("prod")!.tasks.find((t) => t.arn === s.chosen![0]!.arn)!;
    const host = task.containerInstance!.instance.id;
    expect(s.fragment.targets.hosts).toEqual({ resourceType: "aws:ec2:instance", resourceArns: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${host}`], selectionMode: "ALL" });
    const action = s.fragment.actions.latency!;
    expect(action).toMatchObject({ actionId: "aws:ssm:send-command", parameters: { documentArn: "arn:aws:ssm:us-east-1::document/AWSFIS-Run-Network-Latency-Sources", duration: "PT2M" }, targets: { Instances: "hosts" } });
    expect(JSON.parse(action.parameters!.documentParameters!)).toEqual({ DelayMilliseconds: "40", JitterMilliseconds: "0", Sources: ips.join(","), DurationSeconds: "120", InstallDependencies: "True" });
    expect(s.fragment.description).toContain("every task on those hosts sees it");
    expect((await s.verify()).landed).toBe(true);
    expect(r.h.sandbox.hostFaults.inForce().map((f) => f.resourceArn)).toEqual([`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${host}`]);
  });
});
