/**
 * `chaos plan` and the guardrails as a user meets them, against a served sandbox: the plan lists
 * exactly the named cluster's spot instances (not another cluster's with the same tag), in the
 * account the endpoint's STS names; over the cap it refuses with exit 2; a run over the cap is
 * refused before any FIS call; the account's gameday.yaml raises the cap.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ListExperimentTemplatesCommand, FisClient } from "@aws-sdk/client-fis";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { chaos, REPO, scratch, servesForThisFile, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const ACCOUNT = "210987654321";
const serve = servesForThisFile();
let served: Served | undefined;
let dir = "";
beforeAll(async () => {
  dir = scratch();
  // The default stack in another account, with a second cluster whose spot instances carry the same tag.
  const stack = readFileSync(join(REPO, "fixtures/stacks/default.yaml"), "utf8")
    .replace('accountId: "123456789012"', `accountId: "${ACCOUNT}"`)
    .replace("clusters:\n", "clusters:\n  - name: batch\n")
    .replace("autoScalingGroups:\n", "autoScalingGroups:\n  - { name: batch-ecs, cluster: batch, instanceType: m5.large, onDemand: { count: 0 }, spot: { count: 4, tags: { chaos: ok } } }\n");
  writeFileSync(join(dir, "stack.yaml"), stack);
  served = await serve(["--stack", join(dir, "stack.yaml"), "--seed", "5", "--speed", "20"], { cwd: dir });
}, 120_000);

const client = () => ({ region: "us-east-1", endpoint: served!.endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() });

async function spotOf(asg: string): Promise<string[]> {
  const ec2 = new EC2Client(client());
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-lifecycle", Values: ["spot"] }, { Name: "tag:aws:autoscaling:groupName", Values: [asg] }] }));
  ec2.destroy();
  return (out.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)).sort();
}

function experiment(name: string, select: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `title: ${name}\nmethod:\n  - fault: spot-interrupt\n    name: ${name}\n    target: { cluster: prod, tags: { chaos: ok }, select: ${select} }\n  - pause: PT1M\n`);
  return file;
}

describe("chaos plan against a served sandbox", () => {
  it("lists exactly the cluster's running spot instances and the one picked, with ARNs in the endpoint's account", async () => {
    const r = await chaos(["plan", "spot-interrupt", "--target", served!.endpoint, "--seed", "9", "--json"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    const [target] = plan.targets;
    const prod = await spotOf("prod-ecs");
    expect(prod).toHaveLength(3);
    expect(target.found.map((c: { id: string }) => c.id).sort()).toEqual(prod);
    expect(target.cap.max).toBe(1);
    expect(target.chosen).toHaveLength(1);
    expect(prod).toContain(target.chosen[0].id);
    expect(plan.faults[0].template.targets.spotInstances).toEqual({ resourceType: "aws:ec2:spot-instance", resourceArns: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${target.chosen[0].id}`], selectionMode: "ALL" });
    expect(plan.iam).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, permissions: ["ec2:DescribeInstances", "ec2:SendSpotInstanceInterruptions"], role: { status: "checked", denied: [] } });
    expect(plan.cost).toMatchObject({ actionMinutes: 2, estimatedUsd: 0.2 });
    expect(plan.redLines).toEqual([]);
  });

  it("refuses ALL of the cluster's spot instances over the default cap: exit 2, naming file:line, count, cap and key", async () => {
    const file = experiment("all-spot", "ALL");
    const r = await chaos(["plan", file, "--target", served!.endpoint, "--seed", "9"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/REFUSED +it would hit 3 of the 3 running spot instances of cluster prod tagged chaos=ok, over the cap of 1 .*gameday\.yaml key: guardrails\.maxTargets\.spot-interrupt/);
    expect(r.stdout).toContain(`all-spot (spot-interrupt, ${file}:3)`);
  });

  it("a run over the cap is refused before any FIS call; gameday.yaml's cap lets the plan through", async () => {
    const file = experiment("two-spot", "COUNT(2)");
    const fis = new FisClient(client());
    const before = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates?.length ?? 0;
    const r = await chaos(["run", file, "--target", served!.endpoint, "--seed", "9", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, "\\.")}:3: step two-spot \\(spot-interrupt\\) refused: it would hit 2 of the 3 .*set guardrails\\.maxTargets\\.spot-interrupt in gameday\\.yaml`));
    expect((await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates?.length ?? 0).toBe(before);
    fis.destroy();

    const raised = scratch();
    writeFileSync(join(raised, "gameday.yaml"), "guardrails:\n  maxTargets: { spot-interrupt: 2 }\n");
    const ok = await chaos(["plan", file, "--target", served!.endpoint, "--seed", "9", "--json"], { cwd: raised });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).targets[0].chosen).toHaveLength(2);
  });

  it("a bad gameday.yaml is a located error: file:line, field, what was expected (exit 2)", async () => {
    const bad = scratch();
    writeFileSync(join(bad, "gameday.yaml"), "# guardrails\nguardrails:\n  maxTargets:\n    spot-interrupt: lots\n");
    const r = await chaos(["plan", "spot-interrupt", "--target", served!.endpoint], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gameday\.yaml:4:\d+: guardrails\.maxTargets\.spot-interrupt: expected a count of at least 1 \(3\) or a percentage \("50%"\)/);
  });

  it("a cap under a name no fault has is a located error with the fault it likely meant, not a cap silently ignored", async () => {
    const bad = scratch();
    writeFileSync(join(bad, "gameday.yaml"), "guardrails:\n  maxTargets:\n    task-kill: 2\n    spot-interupt: 3\n");
    const r = await chaos(["plan", "spot-interrupt", "--target", served!.endpoint], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gameday\.yaml:4:\d+: guardrails\.maxTargets\.spot-interupt: expected a fault of the catalog: .*\(did you mean `spot-interrupt`\?\), found `spot-interupt`/);
  });
});

describe("allowed windows (gameday.yaml guardrails.windows) and --project", () => {
  it("do not bind the sandbox: a window that excludes its virtual clock's day refuses nothing (they bind AWS runs, see test/msw/plan-on-aws)", async () => {
    const d = scratch();
    // The embedded sandbox's virtual clock starts on Wednesday 2020-11-25: a rehearsal runs anyway.
    writeFileSync(join(d, "gameday.yaml"), 'guardrails:\n  windows:\n    timezone: Europe/Berlin\n    days: [mon, tue]\n    hours: "09:00-16:00"\n    freeze: ["2020-11-25"]\n');
    const plan = await chaos(["plan", "spot-interrupt", "--seed", "1"], { cwd: d });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).not.toMatch(/REFUSED|allowed windows/);
  });

  it("chaos run --project reads that directory's gameday.yaml and ./experiments, while the run's own files stay in the working directory", async () => {
    const project = scratch();
    // The project's gameday.yaml is the one read: a cap of 0 there is refused at its line.
    writeFileSync(join(project, "gameday.yaml"), "guardrails:\n  maxTargets:\n    task-kill: 0\n");
    const here = scratch();
    const refused = await chaos(["run", "task-kill", "--seed", "1", "--log-format", "plain", "--project", project], { cwd: here });
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    // (the working directory has none)
    expect(existsSync(join(here, "gameday.yaml"))).toBe(false);
    expect(refused.stderr).toMatch(/gameday\.yaml:3:\d+: guardrails\.maxTargets\.task-kill/);
    // A valid one: the run goes, and leaves its journal and run directory here, none in the project.
    writeFileSync(join(project, "gameday.yaml"), "guardrails:\n  maxTargets:\n    task-kill: 1\n");
    mkdirSync(join(project, "experiments"));
    writeFileSync(join(project, "experiments", "mine.yaml"), readFileSync(join(REPO, "experiments", "task-kill.yaml"), "utf8"));
    const ran = await chaos(["run", "mine", "--seed", "1", "--log-format", "plain", "--project", project], { cwd: here });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(existsSync(join(here, ".gameday", "runs", "mine-00000001", "journal.json"))).toBe(true);
    expect(existsSync(join(project, ".gameday"))).toBe(false);
    // Recorded for chaos recover, which checks the same allow-list and loads the same probes.
    expect(JSON.parse(readFileSync(join(here, ".gameday", "runs", "mine-00000001", "run.json"), "utf8")).project).toBe(project);
    const missing = await chaos(["run", "task-kill", "--project", join(here, "nowhere")], { cwd: here });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--project: expected a directory/);
  });
});
