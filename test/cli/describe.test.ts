import { describe, expect, it } from "vitest";
import { z } from "zod";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chaos, REPO, scratch } from "../e2e/cli.js";
import { faultNames, loadFault } from "../../src/faults/index.js";
import { faultReference, type FisMapping } from "../../src/cli/step-reference.js";
import type { FisFragment } from "../../src/faults/types.js";

describe("chaos describe", () => {
  it("prints a fault's parameters with type, default, range, description and FIS mapping", async () => {
    const r = await chaos(["describe", "drain"], { cwd: REPO });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/percentage\s+integer 1 to 100; default 20/);
    // How FIS's percentage rounds is what users trip on: 6 instances, 17% drained 2, 16% drained 1.
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(/rounds up.*16 drains 1 and 17 drains 2/);
    expect(r.stdout).toContain("FIS: aws:ecs:drain-container-instances parameter drainagePercentage");
    expect(r.stdout).toMatch(/cluster\s+string; required/);
    expect(r.stdout).toContain("FIS: target aws:ecs:cluster resourceArns");
  });

  it("prints a probe's parameters", async () => {
    const r = await chaos(["describe", "http-slo"], { cwd: REPO });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/window\s+duration \(PT2M, 30s, 300ms\); default "PT30S"/);
    expect(r.stdout).toMatch(/rps\s+number above 0; optional/);
  });

  it("an unknown name is a usage error (exit 2) with a did-you-mean, not a stack trace", async () => {
    const r = await chaos(["describe", "drian"], { cwd: REPO });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^chaos: no fault or probe named "drian" \(did you mean `drain`\?\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an experiment's name says it is an experiment and where its plan is; a fault that shares an experiment's name says so after its reference", async () => {
    const r = await chaos(["describe", "efs-burst-exhaustion"], { cwd: REPO });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: "efs-burst-exhaustion" is an experiment \(chaos list\), not a fault or probe: chaos run efs-burst-exhaustion --dry prints its plan/);
    const both = await chaos(["describe", "spot-interrupt"], { cwd: REPO });
    expect(both.code).toBe(0);
    expect(both.stdout).toContain("durationBeforeInterruption");
    expect(both.stdout).toMatch(/"spot-interrupt" is also an experiment \(chaos list\): chaos run spot-interrupt --dry prints its plan/);
  });
});

/** A scratch project with its own probes/<name>.mjs files. */
function projectWith(probes: Record<string, string>): string {
  const dir = scratch();
  mkdirSync(join(dir, "probes"));
  for (const [name, text] of Object.entries(probes)) writeFileSync(join(dir, "probes", `${name}.mjs`), text);
  return dir;
}

const library = JSON.stringify(pathToFileURL(join(REPO, "dist", "src", "index.js")).href);

describe("chaos describe, a team's own probe", () => {
  it("prints its parameters and what it returns, as its module declares them", async () => {
    const dir = projectWith({
      "queue-depth": [
        `import { defineProbe, z } from ${library};`,
        "export default defineProbe({",
        '  name: "queue-depth", description: "Messages waiting in a queue",',
        '  params: z.object({ queue: z.string().describe("Queue name"), limit: z.number().int().min(1).max(500).default(50) }).strict(),',
        '  output: { fields: { depth: { unit: "count", max: 100000, description: "Messages waiting" }, oldestMs: { unit: "ms", nullable: true } } },',
        "  async run() { return { value: { depth: 0, oldestMs: null } }; },",
        "});",
      ].join("\n"),
    });
    const r = await chaos(["describe", "queue-depth"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queue\s+string; required\n\s+Queue name/);
    expect(r.stdout).toMatch(/limit\s+integer 1 to 500; default 50/);
    expect(r.stdout).toMatch(/returns:\n\s+depth\s+count at most 100000: Messages waiting\n\s+oldestMs\s+ms or null/);
  });

  it("a probe file that does not load is reported plainly: exit 2 for describe; list --verbose shows the others", async () => {
    const dir = projectWith({ broken: "export default { name: 'broken' };\n" });
    const r = await chaos(["describe", "broken"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: probe "broken" \(.*broken\.mjs\) does not follow the probe contract: `run\(ctx\)` is missing/);
    const list = await chaos(["list", "--verbose"], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/broken \(probe\)\n\s+could not load: .*does not follow the probe contract/);
    expect(list.stdout).toContain("http-slo (probe)");
  });
});

describe("chaos schema", () => {
  it("prints the schema with each fault's parameters keyed on its name, and a team's own probes'", async () => {
    const dir = projectWith({
      "queue-depth": [`import { defineProbe, z } from ${library};`, 'export default defineProbe({ name: "queue-depth", description: "d", params: z.object({ queue: z.string() }).strict(), async run() { return { value: 0 }; } });'].join("\n"),
    });
    const r = await chaos(["schema"], { cwd: dir });
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    const keyed = (def: string, key: string, name: string) => schema.$defs[def].allOf.find((c: any) => c.if.properties[key].const === name)?.then.properties.with;
    expect(Object.keys(keyed("FaultStep", "fault", "drain").properties)).toEqual(["percentage", "duration"]);
    expect(keyed("ProbeStep", "probe", "queue-depth").required).toEqual(["queue"]);
  });
});

describe("chaos list --verbose", () => {
  it("prints every parameter of every fault and probe, from their schemas", async () => {
    const r = await chaos(["list", "--verbose"], { cwd: REPO });
    expect(r.code).toBe(0);
    const faults = r.stdout.slice(r.stdout.indexOf("\nfaults\n"));
    for (const name of faultNames()) {
      const fault = (await loadFault(name))!;
      const section = faults.slice(faults.indexOf(`  ${name} (fault)`)).split(/\n\n/)[0]!;
      for (const schema of [fault.params, fault.target]) {
        const keys = Object.keys((z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties: object }).properties);
        for (const key of keys) expect(section, `${name}.${key}`).toMatch(new RegExp(`\\n\\s+${key}\\s+\\S`));
      }
    }
    for (const probe of ["draining", "http-slo", "kinesis-health", "log-delivery", "service-recovery"]) expect(r.stdout).toContain(`  ${probe} (probe)`);
  });
});

// The FIS mapping rides on the zod schemas as metadata; here it is checked against what each fault
// really compiles, so the reference cannot claim a mapping the compiler does not make.
const SAMPLES: Record<string, { with: Record<string, unknown>; target: Record<string, unknown> }[]> = {
  "spot-interrupt": [
    { with: { durationBeforeInterruption: "PT3M" }, target: { cluster: "prod", tags: { pool: "spot" }, az: "us-east-1a", select: "COUNT(2)" } },
    { with: {}, target: { cluster: "prod", instanceIds: ["i-0abc1234"] } },
  ],
  drain: [{ with: { percentage: 17, duration: "PT7M" }, target: { cluster: "prod" } }],
  "task-kill": [{ with: {}, target: { cluster: "prod", service: "web", select: "PERCENT(50)" } }],
  "process-kill": [{ with: { process: "log-shipper", signal: "SIGTERM" }, target: { cluster: "prod", service: "web", select: "COUNT(2)" } }],
  "kinesis-throttle": [
    { with: { percentage: 40, duration: "PT3M" }, target: { stream: "app-logs" } },
    { with: { percentage: 40, duration: "PT3M", operations: ["GetRecords"] }, target: { role: "producer" } },
  ],
  "kinesis-outage": [
    { with: { duration: "PT3M", effect: "errors" }, target: { role: "producer" } },
    { with: { duration: "PT4M", effect: "timeouts" }, target: { subnets: ["subnet-0abc"] } },
  ],
  "scale-in": [{ with: { count: 2, duration: "PT7M" }, target: { group: "prod-ecs" } }],
  "lambda-delay": [{ with: { startupDelayMilliseconds: 2500, invocationPercentage: 40, duration: "PT3M" }, target: { function: "wordpress" } }],
  "lambda-error": [{ with: { invocationPercentage: 40, preventExecution: true, duration: "PT3M" }, target: { function: "wordpress" } }],
  "fargate-spot-interrupt": [
    { with: {}, target: { cluster: "prod", service: "api", select: "COUNT(2)" } },
    { with: { approximate: "stop-task" }, target: { cluster: "prod", service: "api", select: "PERCENT(50)" } },
  ],
  "efs-mount-loss": [{ with: { duration: "PT3M" }, target: { fileSystem: "wordpress", cluster: "prod", service: "web", select: "COUNT(2)" } }],
  "efs-latency": [
    { with: { delayMilliseconds: 40, jitterMilliseconds: 5, duration: "PT3M" }, target: { fileSystem: "fs-0123456789abcdef0", function: "wordpress" } },
    { with: { delayMilliseconds: 40, jitterMilliseconds: 5, duration: "PT3M" }, target: { fileSystem: "fs-0123456789abcdef0", cluster: "prod", service: "worker", select: "COUNT(2)" } },
  ],
};
/** Parameters gameday keeps for itself (verification), which FIS never sees. */
const NOT_SENT: Record<string, string[]> = {
  "spot-interrupt": ["cluster"],
  // FIS has no scale-in action: gameday makes the Auto Scaling calls itself; FIS only waits.
  "scale-in": ["count", "by", "headroom", "group", "cluster"],
  // Resolved before they reach FIS (the function to its subnets; the prefix list only where a
  // network ACL can cut the path), so an offline compile cannot show where they go.
  "efs-mount-loss": ["fileSystem", "function", "prefixListIdentifier"],
};
/** Faults FIS has no action for: they make their change through the AWS API themselves. */
const NO_FIS_ACTION: Record<string, { with: Record<string, unknown>; target: Record<string, unknown> }> = {
  deploy: { with: { taskDefinition: "web:2" }, target: { cluster: "prod", service: "web" } },
  "lambda-throttle": { with: { reservedConcurrency: 0 }, target: { function: "wordpress" } },
  "efs-throughput-starvation": { with: { throughputMiBps: 2 }, target: { fileSystem: "wordpress" } },
};

function carries(fragment: FisFragment, m: FisMapping, value: unknown): boolean {
  const text = Array.isArray(value) ? value.join(",") : typeof value === "object" ? JSON.stringify(value) : String(value);
  const actions = Object.values(fragment.actions).filter((a) => a.actionId === m.action);
  if (m.action && m.parameter) return actions.some((a) => a.parameters?.[m.parameter!] === text);
  if (m.action) return actions.length > 0;
  const targets = Object.values(fragment.targets).filter((t) => t.resourceType === m.resourceType);
  return targets.some((t) => {
    if (m.field === "resourceArns") return (Array.isArray(value) ? value : [value]).every((v) => t.resourceArns?.some((arn) => arn.endsWith(`/${v}`) || arn.endsWith(`:function:${v}`)));
    if (m.field === "resourceTags") return JSON.stringify(t.resourceTags) === text;
    if (m.field === "selectionMode") return t.selectionMode === text;
    if (m.field?.startsWith("parameters.")) return t.parameters?.[m.field.slice("parameters.".length)] === text;
    if (m.field?.startsWith("filters ")) return t.filters?.some((f) => f.path === m.field!.slice("filters ".length) && f.values.join(",") === text) ?? false;
    return false;
  });
}

function fisOf(json: Record<string, unknown>): FisMapping[] {
  return json.fis === undefined ? [] : ([] as FisMapping[]).concat(json.fis as FisMapping);
}

describe("the FIS mapping in the reference", () => {
  it.each(faultNames())("of %s is what the fault compiles", async (name) => {
    const fault = (await loadFault(name))!;
    const ref = (await faultReference(name))!;
    const direct = NO_FIS_ACTION[name];
    if (direct) {
      // It compiles to no FIS action, maps no parameter to FIS, and says so.
      const fragment = fault.compile({ params: fault.params.parse(direct.with), target: fault.target.parse(direct.target), configuration: {}, region: "us-east-1", accountId: "123456789012" });
      expect(fragment.actions).toEqual({});
      expect(ref.fisActions).toEqual([]);
      expect([...ref.params, ...ref.target!].flatMap((p) => p.fis)).toEqual([]);
      expect(ref.description).toMatch(/FIS has no .* action: this fault compiles to no FIS action/);
      return;
    }
    const declared = [...ref.params.map((p) => ({ ...p, in: "with" as const })), ...ref.target!.map((p) => ({ ...p, in: "target" as const }))];
    const confirmed = new Set<string>();
    for (const sample of SAMPLES[name]!) {
      const params = fault.params.parse(sample.with) as Record<string, unknown>;
      const target = fault.target.parse(sample.target) as Record<string, unknown>;
      const fragment = fault.compile({ params, target, configuration: {}, region: "us-east-1", accountId: "123456789012" });
      for (const p of declared) {
        const given = p.in === "with" ? params[p.name] : target[p.name];
        if (given === undefined) continue;
        p.fis.forEach((m, i) => {
          if (carries(fragment, m, given)) confirmed.add(`${p.name}#${i}`);
        });
      }
    }
    // A mapping on the whole `target:` or `with:`: the step becomes that action whatever its values.
    for (const m of [...fisOf(ref.withSchema), ...fisOf(ref.targetSchema!)]) {
      const fragment = fault.compile({ params: fault.params.parse(SAMPLES[name]![0]!.with), target: fault.target.parse(SAMPLES[name]![0]!.target), configuration: {}, region: "us-east-1", accountId: "123456789012" });
      expect(Object.values(fragment.actions).map((a) => a.actionId)).toContain(m.action);
    }
    expect(ref.fisActions!.length, `${name} names its FIS actions`).toBeGreaterThan(0);
    for (const p of declared) {
      if ((NOT_SENT[name] ?? []).includes(p.name)) {
        expect(p.fis, `${name}.${p.name}`).toEqual([]);
        continue;
      }
      expect(p.fis.length, `${name}.${p.name} has a FIS mapping`).toBeGreaterThan(0);
      p.fis.forEach((m, i) => expect(confirmed.has(`${p.name}#${i}`), `${name}.${p.name} -> ${JSON.stringify(m)}`).toBe(true));
    }
  });
});

describe("drain's duration", () => {
  it("is described and checked with FIS's range for the action, PT1M to PT12H", async () => {
    const ref = (await faultReference("drain"))!;
    expect(ref.params.find((p) => p.name === "duration")!.type).toBe("ISO 8601 duration (PT2M), PT1M to PT12H");
    // A shorter one passed validation and then failed at the start with exit 4.
    const fault = (await loadFault("drain"))!;
    expect(fault.params.safeParse({ duration: "PT30S" }).success).toBe(false);
    expect(fault.params.safeParse({ duration: "PT1M" }).success).toBe(true);
  });
});

describe("drain's documented rounding", () => {
  // The reference says how `percentage` rounds with 6 instances; the sandbox (the stack has 6) must agree.
  it.each([
    { percentage: 16, expected: 1 },
    { percentage: 17, expected: 2 },
  ])("percentage $percentage of 6 ACTIVE instances drains $expected, as chaos describe says", async ({ percentage, expected }) => {
    const { rig, stackYaml } = await import("../faults/rig.js");
    const { ListContainerInstancesCommand } = await import("@aws-sdk/client-ecs");
    const ref = (await faultReference("drain"))!;
    expect(ref.params.find((p) => p.name === "percentage")!.description).toContain(`with 6 ACTIVE, 16 drains 1 and 17 drains 2`);
    const r = await rig(stackYaml());
    try {
      const active = await r.h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "ACTIVE" }));
      expect(active.containerInstanceArns).toHaveLength(6);
      await r.start("drain", { cluster: "prod" }, { percentage, duration: "PT5M" });
      const drained = await r.h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }));
      expect(drained.containerInstanceArns).toHaveLength(expected);
    } finally {
      await r.close();
    }
  });
});

describe("the built-in reference", () => {
  it("describes every parameter of every built-in fault and probe", async () => {
    const { BUILTIN_PROBES_DIR, listProbes } = await import("../../src/engine/probe-loader.js");
    const { probeReference } = await import("../../src/cli/step-reference.js");
    const refs = [...(await Promise.all(faultNames().map((n) => faultReference(n)))).map((r) => r!), ...(await Promise.all(listProbes([BUILTIN_PROBES_DIR]).map((n) => probeReference(n, [BUILTIN_PROBES_DIR]))))];
    const undescribed = refs.flatMap((r) => [...r.params, ...(r.target ?? [])].filter((p) => !p.description).map((p) => `${r.name}.${p.name}`));
    expect(undescribed).toEqual([]);
  });
});
