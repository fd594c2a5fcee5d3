/**
 * Every fault and every built-in probe declares the IAM permissions it needs, so that
 * `chaos iam-policy` and `chaos setup` cannot leave a new one out.
 */
import { describe, expect, it } from "vitest";
import { faultNames, loadFault } from "../../src/faults/index.js";
import { BUILTIN_PROBES_DIR, listProbes, loadProbe } from "../../src/engine/probe-loader.js";

// One valid step per fault; a fault added without one here fails the first test.
const FAULT_SAMPLES: Record<string, { with: Record<string, unknown>; target: Record<string, unknown> }[]> = {
  "spot-interrupt": [{ with: {}, target: { cluster: "prod", tags: { chaos: "ok" } } }, { with: {}, target: { cluster: "prod", instanceIds: ["i-0abc"] } }],
  "task-kill": [{ with: {}, target: { cluster: "prod", service: "web" } }],
  "process-kill": [{ with: { process: "log-shipper" }, target: { cluster: "prod", service: "web" } }],
  drain: [{ with: {}, target: { cluster: "prod" } }],
  "kinesis-throttle": [{ with: {}, target: { stream: "logs" } }, { with: {}, target: { role: "shipper" } }],
  "kinesis-outage": [{ with: {}, target: { role: "shipper" } }, { with: { effect: "timeouts" }, target: { subnets: ["subnet-0a"] } }],
  deploy: [{ with: { taskDefinition: "web:2" }, target: { cluster: "prod", service: "web" } }],
  "scale-in": [{ with: {}, target: { group: "prod-ecs" } }, { with: { by: "terminate" }, target: { group: "prod-ecs" } }],
  "lambda-delay": [{ with: {}, target: { function: "wordpress" } }],
  "lambda-error": [{ with: { preventExecution: true }, target: { function: "wordpress" } }],
  "lambda-throttle": [{ with: { reservedConcurrency: 0 }, target: { function: "wordpress" } }],
  "fargate-spot-interrupt": [{ with: {}, target: { cluster: "prod", service: "api" } }, { with: { approximate: "stop-task" }, target: { cluster: "prod", service: "api" } }],
  "efs-latency": [{ with: {}, target: { fileSystem: "wordpress", function: "wordpress" } }, { with: {}, target: { fileSystem: "wordpress", cluster: "prod", service: "web" } }],
  "efs-throughput-starvation": [{ with: {}, target: { fileSystem: "fs-0123456789abcdef0" } }],
  "efs-mount-loss": [{ with: {}, target: { fileSystem: "wordpress", cluster: "prod", service: "web" } }, { with: {}, target: { fileSystem: "wordpress", function: "wordpress" } }],
};

const PROBE_SAMPLES: Record<string, Record<string, unknown>> = {
  draining: {},
  "http-slo": { service: "web" },
  "kinesis-health": { stream: "logs" },
  "lifecycle-drain": { group: "prod-ecs", cluster: "prod" },
  "log-delivery": { stream: "logs" },
  "service-recovery": { cluster: "prod", service: "web" },
  "ecs-deployment": { cluster: "prod", service: "web" },
  capacity: { service: "web", tasks: 4, threads: 20, serviceTime: "300ms", targetGroup: "web" },
  "orphaned-tasks": { cluster: "ops", startedBy: "ecs-fargate-login", session: "PT5M" },
  "efs-health": { fileSystemId: "fs-0123456789abcdef0" },
  wordpress: { site: "wordpress", distributionId: "E2QWRUHAPOMQZL", apiId: "a1b2c3d4e5", function: "wordpress" },
};

const where = { region: "eu-west-1", accountId: "111122223333" };

describe("declared permissions", () => {
  it("every fault has samples here, and each compiled FIS action is covered by FIS role permissions", async () => {
    for (const name of faultNames()) {
      expect(FAULT_SAMPLES[name], `add a sample step for fault ${name} to this test`).toBeDefined();
      const module = (await loadFault(name))!;
      for (const sample of FAULT_SAMPLES[name]!) {
        const input = { params: module.params.parse(sample.with), target: module.target.parse(sample.target), configuration: {}, ...where };
        const fragment = module.compile(input);
        const fis = module.permissions.fis(input);
        if (Object.keys(fragment.actions).length === 0) {
          // No FIS action (deploy): nothing for the FIS role; gameday makes the calls, so the runner needs them.
          expect(fis, `${name}: FIS role permissions without a FIS action`).toEqual([]);
          expect(module.permissions.runner(input).length, `${name}: runner permissions`).toBeGreaterThan(0);
          continue;
        }
        // gameday's sandbox-only actions (gameday:*) never reach real FIS: the FIS role needs nothing for them.
        if (Object.values(fragment.actions).every((a) => a.actionId.startsWith("gameday:"))) {
          expect(fis, `${name}: FIS role permissions for a sandbox-only action`).toEqual([]);
          continue;
        }
        // aws:fis:wait acts on nothing; a fault that only waits in FIS (scale-in) makes its calls as the runner.
        const onlyWaits = Object.values(fragment.actions).every((a) => a.actionId === "aws:fis:wait");
        if (onlyWaits) expect(module.permissions.runner(input).length, `${name}: runner permissions`).toBeGreaterThan(0);
        else expect(fis.length, `${name}: FIS role permissions`).toBeGreaterThan(0);
        for (const p of fis) {
          expect(p.actions.length, `${name}: ${p.why}`).toBeGreaterThan(0);
          expect(p.resources.length, `${name}: ${p.why}`).toBeGreaterThan(0);
        }
        // Every action's service is one the permissions name (aws:ecs:stop-task -> ecs:...; aws:fis:inject-* -> fis:...).
        const services = new Set(fis.flatMap((p) => p.actions.map((a) => a.split(":")[0])));
        for (const a of Object.values(fragment.actions)) {
          if (a.actionId === "aws:fis:wait") continue;
          const service = a.actionId.split(":")[1] === "network" ? "ec2" : a.actionId.split(":")[1];
          expect(services, `${name}: ${a.actionId}`).toContain(service);
        }
        expect(Array.isArray(module.permissions.runner(input))).toBe(true);
      }
    }
  });

  it("every built-in probe declares the calls it makes", async () => {
    const names = listProbes([BUILTIN_PROBES_DIR]);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(PROBE_SAMPLES[name], `add sample parameters for probe ${name} to this test`).toBeDefined();
      const probe = await loadProbe(name, [BUILTIN_PROBES_DIR]);
      expect(probe.permissions, `probe ${name} declares no permissions`).toBeTypeOf("function");
      const declared = probe.permissions!({ params: probe.params.parse(PROBE_SAMPLES[name]), ...where });
      expect(declared.length, `probe ${name}`).toBeGreaterThan(0);
      for (const p of declared) expect(p.actions.every((a) => /^[a-z0-9-]+:[A-Za-z*]+$/.test(a)), `${name}: ${p.actions.join()}`).toBe(true);
    }
  });
});
