/**
 * The preflight against the embedded sandbox, through the real SDK clients: each fault's target
 * resolves to exactly the resources of the named cluster, service or stream, the cap applies, the
 * pick is the seed's, and the compiled template names exactly the picked ARNs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseExperiment } from "../../src/experiment/index.js";
import { planExperiment } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";
import { preflight, PreflightError, refusalMessage } from "../../src/engine/preflight.js";
import { DEFAULT_GUARDRAILS, type GuardrailSettings } from "../../src/engine/guardrails.js";
import { SeededRandom } from "../../src/random/random.js";
import { harness, stackYaml, type Harness } from "../sandbox/harness.js";


// Planning loads the probe modules; on a loaded machine the first plan takes a while.
vi.setConfig({ testTimeout: 120_000 });
let h: Harness;
beforeAll(async () => {
  // Two clusters whose spot instances carry the same tag: only prod's may be picked for prod.
  h = await harness(
    stackYaml({
      cluster: "  - name: prod\n  - name: batch",
      asg: [
        "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, spot: { count: 3, tags: { chaos: ok } } }",
        "  - { name: other, cluster: batch, instanceType: m5.large, onDemand: { count: 0 }, spot: { count: 4, tags: { chaos: ok } } }",
      ].join("\n"),
    }),
  );
});
afterAll(() => h.close());

async function check(method: string, o: { seed?: number; settings?: GuardrailSettings } = {}) {
  const loaded = parseExperiment(`title: t\nmethod:\n${method}`, "exp.yaml", { env: {} });
  const plan = await planExperiment(loaded, { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: h.sandbox.kernel.accountId });
  return preflight(plan, { aws: h.clients, random: new SeededRandom(o.seed ?? 1), region: "us-east-1", accountId: h.sandbox.kernel.accountId, settings: o.settings ?? DEFAULT_GUARDRAILS });
}

const prodSpot = () => h.sandbox.ec2.all().filter((i) => i.lifecycle === "spot" && i.autoScalingGroup === "asg").map((i) => i.id).sort();

describe("spot-interrupt", () => {
  it("resolves to the running spot instances of its cluster only, and FIS gets exactly the picked ARN", async () => {
    const p = await check("  - fault: spot-interrupt\n    name: s\n    target: { cluster: prod, tags: { chaos: ok } }\n");
    const [step] = p.steps;
    expect(step!.resolution.candidates.map((c) => c.id).sort()).toEqual(prodSpot());
    expect(step!.chosen).toHaveLength(1);
    const target = p.plan.faults.get("s")!.fragment.targets.spotInstances!;
    expect(target).toEqual({ resourceType: "aws:ec2:spot-instance", resourceArns: [step!.chosen![0]!.arn], selectionMode: "ALL" });
    expect(refusalMessage(p)).toBeUndefined();
  });

  it("picks by seed: the same seed picks the same instance", async () => {
    const method = "  - fault: spot-interrupt\n    name: s\n    target: { cluster: prod, tags: { chaos: ok } }\n";
    const picks = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const a = await check(method, { seed });
      const b = await check(method, { seed });
      expect(a.steps[0]!.chosen).toEqual(b.steps[0]!.chosen);
      picks.add(a.steps[0]!.chosen![0]!.id);
    }
    expect(picks.size).toBeGreaterThan(1);
  });

  it("refuses ALL of three over the default cap, naming file:line, count, cap and key; a raised cap lets it through", async () => {
    const method = "  - fault: spot-interrupt\n    name: all-spot\n    target: { cluster: prod, tags: { chaos: ok }, select: ALL }\n";
    const refused = await check(method);
    expect(refusalMessage(refused)).toMatch(/exp\.yaml:3: step all-spot \(spot-interrupt\) refused: it would hit 3 of the 3 running spot instances of cluster prod tagged chaos=ok, over the cap of 1 .*guardrails\.maxTargets\.spot-interrupt/);
    expect(refused.plan.faults.get("all-spot")!.fragment.targets.spotInstances!.resourceArns).toBeUndefined();
    const allowed = await check(method, { settings: { ...DEFAULT_GUARDRAILS, maxTargets: { "spot-interrupt": { count: 3 } } } });
    expect(refusalMessage(allowed)).toBeUndefined();
    expect(allowed.steps[0]!.chosen!.map((c) => c.id).sort()).toEqual(prodSpot());
  });

  it("gives two steps that each interrupt one instance two different instances, whatever the seed; a third and fourth step share once none is left", async () => {
    const step = (name: string) => `  - fault: spot-interrupt\n    name: ${name}\n    target: { cluster: prod, tags: { chaos: ok } }\n`;
    for (let seed = 1; seed <= 12; seed++) {
      const p = await check(step("first") + step("second"), { seed });
      const [a, b] = p.steps.map((s) => s.chosen![0]!.arn);
      expect(a, `seed ${seed}`).not.toBe(b);
      // The first step's pick is the seed's, as with one step alone.
      expect(a).toBe((await check(step("first"), { seed })).steps[0]!.chosen![0]!.arn);
    }
    // Three instances for four steps: the first three are distinct, the fourth repeats one of them.
    const four = await check(["one", "two", "three", "four"].map(step).join(""), { seed: 3 });
    const arns = four.steps.map((s) => s.chosen![0]!.arn);
    expect(new Set(arns.slice(0, 3)).size).toBe(3);
    expect(arns.slice(0, 3)).toContain(arns[3]);
  });

  it("an empty resolution is an error before anything starts (exit 4), saying what was looked for", async () => {
    const err = await check("  - fault: spot-interrupt\n    target: { cluster: prod, tags: { chaos: nope } }\n").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect(err).toMatchObject({ exitCode: 4, message: expect.stringMatching(/found no running spot instances of cluster prod tagged chaos=nope/) });
  });

  it("a lookup the target answers with an error (a service it does not have) is the same: exit 4, naming the step and the error", async () => {
    const err = await check("  - fault: fargate-spot-interrupt\n    name: f\n    target: { cluster: prod, service: no-such-service }\n").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect(err).toMatchObject({ exitCode: 4, message: expect.stringMatching(/step f \(fargate-spot-interrupt\) could not look up its targets: ServiceNotFoundException: Service not found; nothing was started$/) });
  });
});

describe("task-kill and drain", () => {
  it("task-kill resolves to the service's running tasks and names the picked task ARN", async () => {
    const p = await check("  - fault: task-kill\n    name: k\n    target: { cluster: prod, service: web }\n");
    const running = h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "web" && t.lastStatus === "RUNNING").map((t) => t.arn);
    expect(p.steps[0]!.resolution.candidates.map((c) => c.arn).sort()).toEqual(running.sort());
    expect(p.plan.faults.get("k")!.fragment.targets.tasks).toEqual({ resourceType: "aws:ecs:task", resourceArns: [p.steps[0]!.chosen![0]!.arn], selectionMode: "ALL" });
  });

  it("two task kills of one service kill two different tasks, whatever the seed", async () => {
    const step = (name: string) => `  - fault: task-kill\n    name: ${name}\n    target: { cluster: prod, service: web }\n`;
    for (let seed = 1; seed <= 12; seed++) {
      const p = await check(step("k1") + step("k2"), { seed });
      expect(p.steps[0]!.chosen![0]!.arn, `seed ${seed}`).not.toBe(p.steps[1]!.chosen![0]!.arn);
    }
  });

  it("a drain over the cap is refused; a whole-cluster drain needs allowing by cluster name even under a raised cap", async () => {
    const half = await check("  - fault: drain\n    name: d\n    target: { cluster: prod }\n    with: { percentage: 50 }\n");
    expect(refusalMessage(half)).toMatch(/it would hit 3 of the 6 ACTIVE container instances of cluster prod, over the cap of 1/);
    const all = "  - fault: drain\n    name: d\n    target: { cluster: prod }\n    with: { percentage: 100 }\n";
    const raised = { ...DEFAULT_GUARDRAILS, maxTargets: { drain: { percent: 100 } } };
    expect(refusalMessage(await check(all, { settings: raised }))).toMatch(/drain all 6 ACTIVE container instances of cluster prod.*guardrails\.allow\.wholeClusterDrain: \[prod\]/);
    expect(refusalMessage(await check(all, { settings: { ...raised, wholeClusterDrain: ["prod"] } }))).toBeUndefined();
    // Within the default cap: 16% of 6 rounds up to one instance.
    expect(refusalMessage(await check("  - fault: drain\n    target: { cluster: prod }\n    with: { percentage: 16 }\n"))).toBeUndefined();
  });
});
