/**
 * The deploy fault (no FIS action: ECS UpdateService through the client factory) and the
 * ecs-deployment probe (DescribeServices only), against the embedded sandbox through the real SDK
 * clients. Circuit breaker semantics: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 */
import { afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { ListExperimentTemplatesCommand } from "@aws-sdk/client-fis";
import ecsDeployment from "../../probes/ecs-deployment.js";
import { rig, stackYaml, type Rig } from "./rig.js";
import { expectDeclared } from "../probes/declared.js";
import type { ProbeReading } from "../../src/engine/probe.js";

let r: Rig;
afterEach(() => r?.close());

function stack(revision2: string, breaker: string): string {
  return stackYaml({
    taskDefinitions: `  - family: web
    cpu: 512
    memory: 1024
    startup: PT10S
    shutdown: PT2S
    app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } }
    revisions:
      - ${revision2}`,
    services: `  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 4, targetGroup: web, deploymentCircuitBreaker: ${breaker} }`,
  });
}

const taskDefinitionOf = async (r: Rig) => (await r.h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services![0]!.taskDefinition!.split("/")[1];

type Value = { rolloutState: string; taskDefinition: string; completedAfterMs: number | null; rolledBack: number; failedDeployments: number; failedWithoutRollback: number; stuck: number; belowMinimumHealthy: number };

async function readFor(read: (final?: boolean) => Promise<ProbeReading>, ms: number, everyMs = 5_000): Promise<Value> {
  let last: ProbeReading | undefined;
  for (let t = 0; t <= ms; t += everyMs) {
    last = await read(t + everyMs > ms);
    if (t + everyMs <= ms) await r.h.advance(everyMs);
  }
  return last!.value as Value;
}

describe("deploy fault", () => {
  it("compiles to no FIS action, deploys web:2 through ECS, lands, and its ledger undo puts web:1 back", async () => {
    r = await rig(stack("{ startup: PT15S }", "{ enable: true, rollback: true }"));
    const started = await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2" });
    expect(started.fault.experimentId).toBeUndefined();
    const fis = await r.h.clients.fis();
    expect((await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? []).toEqual([]);
    expect(await taskDefinitionOf(r)).toBe("web:2");
    const v = await started.verify();
    expect(v).toMatchObject({ landed: true, detail: expect.stringMatching(/^deployment ecs-svc\/\d{19} of web:2 started \(IN_PROGRESS\)$/) });
    await r.h.advance(180_000);
    const undone = await r.undoPending();
    expect(undone).toEqual([{ description: "put service web back on web:1", ok: true, detail: "service web deploys web:1 again (it ran web:2)" }]);
    expect(await taskDefinitionOf(r)).toBe("web:1");
  });

  it("does not land when the service already runs that revision (no new deployment)", async () => {
    r = await rig(stack("{ startup: PT15S }", "{ enable: false, rollback: false }"));
    const started = await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:1" });
    expect(await started.verify()).toMatchObject({ landed: false, detail: expect.stringMatching(/no new deployment: the service already ran web:1/) });
  });

  it("refuses both or neither of taskDefinition and forceNewDeployment", async () => {
    r = await rig(stack("{ startup: PT15S }", "{ enable: false, rollback: false }"));
    await expect(r.start("deploy", { cluster: "prod", service: "web" }, {})).rejects.toThrow(/either taskDefinition or forceNewDeployment/);
    await expect(r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2", forceNewDeployment: true })).rejects.toThrow(/either taskDefinition or forceNewDeployment/);
  });
});

describe("ecs-deployment probe", () => {
  it("a healthy deployment: COMPLETED, with its time, never below the minimum healthy share", async () => {
    r = await rig(stack("{ startup: PT15S }", "{ enable: true, rollback: true }"));
    const read = r.reader(ecsDeployment, { cluster: "prod", service: "web", within: "PT5M" });
    await read();
    await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2" });
    const last = await readFor(read, 180_000);
    expectDeclared(ecsDeployment, last);
    expect(last).toMatchObject({ rolloutState: "COMPLETED", taskDefinition: "web:2", rolledBack: 0, failedDeployments: 0, failedWithoutRollback: 0, stuck: 0, belowMinimumHealthy: 0 });
    expect(last.completedAfterMs).toBeGreaterThan(25_000);
  });

  it("a broken revision with the circuit breaker: one failed deployment, one rollback, back on web:1; the undo has nothing left to do", async () => {
    r = await rig(stack("{ failure: exits-at-start }", "{ enable: true, rollback: true }"));
    const read = r.reader(ecsDeployment, { cluster: "prod", service: "web", within: "PT5M" });
    await read();
    await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2" });
    const last = await readFor(read, 180_000);
    expect(last).toMatchObject({ rolloutState: "COMPLETED", taskDefinition: "web:1", rolledBack: 1, failedDeployments: 1, failedWithoutRollback: 0, stuck: 0 });
    expect((await r.undoPending()).map((u) => u.detail)).toEqual(["service web already runs web:1"]);
  });

  it("a broken revision without the circuit breaker: stuck IN_PROGRESS past `within`", async () => {
    r = await rig(stack("{ failure: exits-at-start }", "{ enable: false, rollback: false }"));
    const read = r.reader(ecsDeployment, { cluster: "prod", service: "web", within: "PT2M" });
    await read();
    await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2" });
    const last = await readFor(read, 180_000);
    expect(last).toMatchObject({ rolloutState: "IN_PROGRESS", taskDefinition: "web:2", stuck: 1, rolledBack: 0 });
  });

  it("circuit breaker without rollback: FAILED and left so", async () => {
    r = await rig(stack("{ failure: exits-at-start }", "{ enable: true, rollback: false }"));
    const read = r.reader(ecsDeployment, { cluster: "prod", service: "web", within: "PT5M" });
    await read();
    await r.start("deploy", { cluster: "prod", service: "web" }, { taskDefinition: "web:2" });
    const last = await readFor(read, 120_000);
    expect(last).toMatchObject({ rolloutState: "FAILED", failedWithoutRollback: 1, failedDeployments: 1, rolledBack: 0 });
  });
});
