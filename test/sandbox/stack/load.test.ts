import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DEFAULT_STACK_FILE, loadStack, parseStack, StackError } from "../../../src/sandbox/stack/load.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/stacks");

function problems(yaml: string): string[] {
  try {
    parseStack(yaml, "bad.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(StackError);
    return (err as StackError).problems;
  }
  throw new Error("expected the stack to be rejected");
}

describe("stack files", () => {
  it("loads every shipped stack, and the default one is the embedded default", () => {
    for (const name of ["default", "dereg-300", "no-drain", "large"]) {
      const stack = loadStack(join(fixtures, `${name}.yaml`));
      expect(stack.clusters.length).toBeGreaterThan(0);
    }
    expect(DEFAULT_STACK_FILE).toBe(join(fixtures, "default.yaml"));
  });

  it("differs between the shipped variants exactly where they say", () => {
    const def = loadStack(join(fixtures, "default.yaml"));
    const slow = loadStack(join(fixtures, "dereg-300.yaml"));
    const none = loadStack(join(fixtures, "no-drain.yaml"));
    const large = loadStack(join(fixtures, "large.yaml"));
    expect(def.targetGroups[0]!.deregistrationDelay).toBe(5_000);
    expect(slow.targetGroups[0]!.deregistrationDelay).toBe(300_000);
    expect(def.events.rules.map((r) => r.target.handler)).toEqual(["builtin:spot-drain"]);
    expect(none.events.rules).toEqual([]);
    expect(none.clusters[0]!.spotInstanceDraining).toBe(false);
    const instances = large.autoScalingGroups.reduce((n, g) => n + g.onDemand.count + g.spot.count, 0);
    expect(instances).toBe(100);
    expect(large.services.reduce((n, s) => n + s.desiredCount, 0)).toBe(1000);
  });

  it("applies AWS's documented defaults where the stack says nothing", () => {
    const stack = parseStack(`
availabilityZones: [us-east-1a]
clusters: [{ name: c }]
taskDefinitions: [{ family: web, cpu: 256, memory: 512, app: { threads: 4, serviceTime: { p50: 10ms, p99: 50ms } } }]
targetGroups: [{ name: tg }]
services: [{ name: web, cluster: c, taskDefinition: web, desiredCount: 2, targetGroup: tg }]
`);
    const tg = stack.targetGroups[0]!;
    expect(tg.deregistrationDelay).toBe(300_000);
    expect(tg.healthCheck).toEqual({ interval: 30_000, healthyThreshold: 5, unhealthyThreshold: 2 });
    expect(stack.taskDefinitions[0]!.stopTimeout).toBe(30_000);
    expect(stack.services[0]!.minimumHealthyPercent).toBe(100);
    expect(stack.services[0]!.maximumPercent).toBe(200);
    expect(stack.clusters[0]!.spotInstanceDraining).toBe(false);
    expect(stack.events.delivery.duplicates).toBe(0);
  });

  it("reports a wrong value with file:line:col, the path, what was expected and what was found", () => {
    const found = problems(`availabilityZones: [us-east-1a]
clusters:
  - name: prod
targetGroups:
  - name: web
    deregistrationDelay: five seconds
`);
    expect(found).toHaveLength(1);
    expect(found[0]).toBe('bad.yaml:6:26: targetGroups[0].deregistrationDelay: expected a duration such as "PT30S", "PT2M" or "250ms", found "five seconds"');
  });

  it("names unknown keys and dangling references", () => {
    const found = problems(`availabilityZones: [us-east-1a]
clusters: [{ name: prod }]
autoScalingGroups: [{ name: a, cluster: staging, instanceType: m5.large, spot: { count: 1 } }]
services: [{ name: web, cluster: prod, taskDefinition: nope, desiredCount: 1, colour: blue }]
`);
    expect(found).toContainEqual(expect.stringMatching(/^bad\.yaml:4:\d+: services\[0\]\.colour: expected one of `name`, .*, found the unknown key `colour`$/));
    const dangling = problems(`availabilityZones: [us-east-1a]
clusters: [{ name: prod }]
autoScalingGroups: [{ name: a, cluster: staging, instanceType: m9.huge, spot: { count: 1 } }]
`);
    expect(dangling).toContainEqual(expect.stringMatching(/autoScalingGroups\[0\]\.cluster: expected one of the clusters "prod", found "staging"$/));
    expect(dangling).toContainEqual(expect.stringMatching(/autoScalingGroups\[0\]\.instanceType: expected a known instance type .* found "m9\.huge"$/));
  });

  it("says when the file is missing or not YAML", () => {
    expect(() => loadStack("/nonexistent/stack.yaml")).toThrow(/expected a stack file, found no file at this path/);
    expect(problems("clusters: [unclosed")[0]).toMatch(/^bad\.yaml:\d+:\d+: \(document\): expected valid YAML, found /);
  });

  it("says in one line that another of gameday's files given as a stack is not one, and what it is", () => {
    const expected = "bad.yaml:1:1: (document): expected a sandbox stack file (availabilityZones, clusters, services, ...), found";
    expect(problems("title: Spot\ndescription: d\nmethod: []\nruntime: {}\n")).toEqual([`${expected} an experiment (title and method): give it as the experiment, and a stack with --stack`]);
    expect(problems("description: d\ntargets: {}\nactions: {}\nroleArn: r\n")).toEqual([`${expected} an AWS FIS experiment template (targets and actions): run it with chaos run --fis-template FILE`]);
    expect(problems("title: Release\nexperiments: []\n")).toEqual([`${expected} a suite (experiments:): run it with chaos gate FILE`]);
    expect(problems("title: Day\nsteps: []\n")).toEqual([`${expected} a game-day runbook (steps:): run it with chaos gameday FILE`]);
    expect(problems('{"start": "2020-11-25T13:16:32Z", "status": "completed", "experiment": {}, "gameday": {}}')).toEqual([`${expected} a run journal (written by chaos run): read it with chaos report FILE`]);
  });

  it("still checks a stack with a stray experiment key key by key: one stack key says it is a stack", () => {
    const found = problems("availabilityZones: [us-east-1a]\ntitle: mine\n");
    expect(found).toEqual([expect.stringMatching(/^bad\.yaml:2:1: title: expected one of `region`, .*found the unknown key `title`$/)]);
  });
});
