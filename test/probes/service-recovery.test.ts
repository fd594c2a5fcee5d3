import { afterEach, describe, expect, it } from "vitest";
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import serviceRecovery from "../../probes/service-recovery.js";
import { rig, stackYaml, type Rig } from "../faults/rig.js";
import type { ProbeReading } from "../../src/engine/probe.js";
import { expectDeclared } from "./declared.js";

let r: Rig;
afterEach(() => r?.close());

type Value = { desired: number; running: number; minimumHealthy: number; lowestRunning: number; longestBelowDesiredMs: number; slowRecoveries: number; minimumHealthyViolations: number };

const stack = () => stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 4, targetGroup: web }" });

async function stop(n: number): Promise<void> {
  const arns = (await r.h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
  for (const task of arns.slice(0, n)) await r.h.ecs.send(new StopTaskCommand({ cluster: "prod", task }));
}

async function readings(read: (final?: boolean) => Promise<ProbeReading>, count: number, everyMs = 5_000): Promise<Value[]> {
  const out: Value[] = [];
  for (let i = 0; i < count; i++) {
    out.push((await read(i === count - 1)).value as Value);
    if (i < count - 1) await r.h.advance(everyMs);
  }
  return out;
}

describe("service-recovery", () => {
  it("counts every reading below the minimum healthy share, and remembers the dip after recovery", async () => {
    r = await rig(stack());
    const read = r.reader(serviceRecovery, { cluster: "prod", service: "web", minimumHealthyPercent: 50, within: "PT2M" });
    expect((await read()).value).toMatchObject({ desired: 4, running: 4, minimumHealthy: 2, minimumHealthyViolations: 0 });
    await stop(3);
    const values = await readings(read, 12);
    // Below 2 running of 4 while the replacements start; back to 4 within a minute.
    expect(values[0]).toMatchObject({ running: 1, minimumHealthyViolations: 1 });
    const last = values.at(-1)!;
    expectDeclared(serviceRecovery, last);
    expect(last.running).toBe(4);
    expect(last.lowestRunning).toBe(1);
    expect(last.minimumHealthyViolations).toBe(values.filter((v) => v.running < 2).length);
    expect(last.minimumHealthyViolations).toBeGreaterThan(0);
    expect(last.slowRecoveries).toBe(0);
    expect(last.longestBelowDesiredMs).toBeGreaterThan(0);
  });

  it("takes the service's own minimum healthy percent by default: one task short of 100% is a violation", async () => {
    r = await rig(stack());
    const read = r.reader(serviceRecovery, { cluster: "prod", service: "web" });
    await stop(1);
    const first = (await read()).value as Value;
    expect(first).toMatchObject({ desired: 4, running: 3, minimumHealthy: 4, minimumHealthyViolations: 1 });
  });

  it("holds when the dip stays above the minimum, and flags a recovery slower than `within`", async () => {
    r = await rig(stack());
    const read = r.reader(serviceRecovery, { cluster: "prod", service: "web", minimumHealthyPercent: 50, within: "PT5S" });
    await stop(1);
    const values = await readings(read, 10);
    const last = values.at(-1)!;
    expect(last.minimumHealthyViolations).toBe(0);
    // A replacement needs its 10 s start-up and its health checks: longer than 5 s.
    expect(last.slowRecoveries).toBe(1);
    expect(last.running).toBe(4);
  });

  it("says so when the service does not exist", async () => {
    r = await rig(stack());
    await expect(r.reader(serviceRecovery, { cluster: "prod", service: "api" })()).rejects.toThrow(/service api not found in cluster prod/);
  });
});
