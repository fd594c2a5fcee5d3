/**
 * A team's own FIS template, rehearsed on the sandbox: `chaos run --fis-template` and the
 * `fis-template:` step run it to its end through FIS; a template FIS would refuse is refused
 * before any call, at its line, with FIS's reason; SIGTERM stops its experiment.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, freePort, ledgerOf, REPO, scratch, servesForThisFile, start, until } from "./cli.js";

const VALID = join(REPO, "fixtures/fis/valid/spot-interrupt.json");
const template = () => JSON.parse(readFileSync(VALID, "utf8")) as Record<string, unknown>;

/** FIS's reason and where, per invalid fixture (the same reasons the sandbox's FIS answers with). */
const INVALID: Record<string, { at: string; reason: string }> = {
  "arns-and-tags.json": { at: ":4:24: targets.instanceTargets:", reason: "You cannot specify both resource ARNs and resource tags for target instanceTargets." },
  "kinesis-docs-excerpt-no-description.json": { at: ":1:1: description:", reason: "Value null at 'description' failed to satisfy constraint: Member must not be null" },
  "kinesis-percentage-as-number.json": { at: ":9:57: actions.kinesis.parameters.percentage:", reason: `found number 100; FIS takes it as a string: write "100".` },
  "spot-interrupt-instances-key.json": {
    at: ":10:33: actions.Send-Spot-Instance-Interruptions.targets.Instances:",
    reason: 'Unexpected target "Instances" found in action "Send-Spot-Instance-Interruptions". Expected "SpotInstances" (aws:ec2:spot-instance).',
  },
};

describe("chaos run --fis-template", () => {
  it("runs fixtures/fis/valid/spot-interrupt.json on the embedded sandbox until FIS completes it, then deletes its template", async () => {
    const dir = scratch();
    const r = await chaos(["run", "--fis-template", VALID, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/fis: \S+ interrupt running/);
    expect(r.stdout).toMatch(/fis: \S+ killTask completed/);
    expect(r.stdout).toMatch(/landed: FIS experiment \S+ completed/);
    const j = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(j.gameday.faults).toHaveLength(1);
    expect(j.gameday.faults[0]).toMatchObject({ fault: "fis-template", status: "completed" });
    expect(j.gameday.faults[0].template.actions.settle).toEqual({ actionId: "aws:fis:wait", parameters: { duration: "PT3M" }, startAfter: ["interrupt"] });
    const ledger = ledgerOf(dir);
    const deleteTemplate = ledger.find((l) => l.undo?.type === "fis-delete-template");
    expect(ledger.some((l) => l.op === "undone" && l.id === deleteTemplate?.id && l.ok === true)).toBe(true);
  });

  it("a template whose experiment FIS fails is an error (exit 4) that quotes FIS's reason", async () => {
    const dir = scratch();
    const t = template();
    (t.targets as { webTasks: { parameters: Record<string, string> } }).webTasks.parameters.service = "no-such-service";
    writeFileSync(join(dir, "team.json"), JSON.stringify(t, null, 2));
    const r = await chaos(["run", "--fis-template", "team.json", "--seed", "5", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/verdict: error \(exit 4\) .*FIS experiment \S+ failed: Target resolution failed: target "webTasks" of action "killTask" resolved to no resources\./);
  });

  it.each(Object.entries(INVALID))("refuses fixtures/fis/invalid/%s at its line with FIS's reason, before any call (exit 2)", async (file, want) => {
    const dir = scratch();
    // An endpoint nobody answers: any call to it would fail as a target error (exit 4), not 2.
    const target = `http://127.0.0.1:${await freePort()}`;
    const r = await chaos(["run", "--fis-template", join(REPO, "fixtures/fis/invalid", file), "--target", target], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${file}${want.at} expected a template FIS accepts, found ValidationException: `);
    expect(r.stderr).toContain(want.reason);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, ".gameday", "runs"))).toBe(false);
  });

  it("reads what `aws fis get-experiment-template` prints, and locates problems under experimentTemplate", async () => {
    const dir = scratch();
    const inner: Record<string, unknown> = { id: "EXT1a2b3c4d5e6f7", arn: "arn:aws:fis:us-east-1:111122223333:experiment-template/EXT1a2b3c4d5e6f7", creationTime: "2026-01-01T00:00:00Z", ...template() };
    delete inner.clientToken;
    (inner.targets as { spotHosts: { selectionMode: string } }).spotHosts.selectionMode = "SOME(1)";
    const got = { experimentTemplate: inner };
    writeFileSync(join(dir, "got.json"), JSON.stringify(got, null, 2));
    const r = await chaos(["run", "--fis-template", "got.json"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^got\.json:\d+:\d+: experimentTemplate\.targets\.spotHosts\.selectionMode: expected a template FIS accepts, found ValidationException: Invalid selectionMode for target "spotHosts": expected ALL, COUNT\(n\) or PERCENT\(n\), found "SOME\(1\)"/);
  });

  it("SIGTERM while the template's experiment runs stops it, deletes the template and exits 130", async () => {
    const dir = scratch();
    // Scaled real time: the template's 5 minutes last 10 s, long enough to interrupt.
    const run = start(["run", "--fis-template", VALID, "--speed", "30", "--log-format", "plain"], { cwd: dir });
    await run.waitFor(/⚡ fis-template \S+/);
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stdout).toMatch(/↺ stopped FIS experiment \S+/);
    expect(r.stdout).toMatch(/fis: \S+ killTask cancelled/);
    expect(r.stdout).not.toMatch(/killTask completed/);
    const ledger = ledgerOf(dir);
    const undone = (id: string | undefined) => ledger.some((l) => l.op === "undone" && l.id === id && l.ok === true);
    const stop = ledger.find((l) => l.undo?.type === "fis-stop-experiments" && l.undo.experimentId);
    expect(undone(stop?.id), r.stdout).toBe(true);
    expect(undone(ledger.find((l) => l.undo?.type === "fis-delete-template")?.id)).toBe(true);
  });
});

describe("the fis-template: step", () => {
  const experiment = (dir: string, templateFile: string) => {
    writeFileSync(
      join(dir, "rehearse.yaml"),
      [
        "title: the platform team's spot template, rehearsed",
        "configuration: { az: us-east-1a }",
        "method:",
        "  - fis-template:",
        `      path: ${templateFile}`,
        "      vars: { az: \"${az}\" }",
        "",
      ].join("\n"),
    );
    return join(dir, "rehearse.yaml");
  };

  it("runs a template next to the experiment file, with ${name} from vars", async () => {
    const dir = scratch();
    const t = template();
    (t.targets as { spotHosts: { filters: { values: string[] }[] } }).spotHosts.filters[1]!.values = ["${az}"];
    writeFileSync(join(dir, "team-template.json"), JSON.stringify(t, null, 2));
    const r = await chaos(["run", experiment(dir, "team-template.json"), "--seed", "3", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(j.gameday.faults[0]).toMatchObject({ step: "fis-template:team-template.json", fault: "fis-template", status: "completed" });
    expect(j.gameday.faults[0].template.targets.spotHosts.filters[1].values).toEqual(["us-east-1a"]);
  });

  it("chaos validate reports the template's problem at its own file and line", async () => {
    const dir = scratch();
    const t = template();
    (t.actions as { interrupt: { parameters: Record<string, string> } }).interrupt.parameters.durationBeforeInterruption = "PT1M";
    writeFileSync(join(dir, "team-template.json"), JSON.stringify(t, null, 2));
    const r = await chaos(["validate", experiment(dir, "team-template.json")], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /team-template\.json:\d+:\d+: actions\.interrupt\.parameters\.durationBeforeInterruption: expected a template FIS accepts, found ValidationException: Invalid value for parameter "durationBeforeInterruption" in action "interrupt" \(aws:ec2:send-spot-instance-interruptions\): expected an ISO 8601 duration from PT2M to PT15M, found "PT1M"\./,
    );
    expect(readdirSync(dir)).not.toContain(".gameday");
  });

  it("is refused in rollbacks and in the steady-state hypothesis", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "wrong.yaml"),
      ["title: misplaced", "steady-state-hypothesis:", "  title: t", "  probes:", "    - fis-template: { path: t.json }", "method:", "  - pause: PT1M", "rollbacks:", "  - fis-template: { path: t.json }", ""].join("\n"),
    );
    const r = await chaos(["validate", "wrong.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong\.yaml:5:7: steady-state-hypothesis\.probes\[0\]: expected .*FIS templates belong in `method`, found a `fis-template:` step/);
    expect(r.stderr).toMatch(/wrong\.yaml:9:\d+: rollbacks\[0\](\.fis-template)?: expected .*gameday reverts every FIS template it runs itself/);
  });
});

describe("a template naming gameday's sandbox-only action", () => {
  // On AWS it is refused before anything runs (test/msw/fis-template-on-aws.test.ts); the sandbox's FIS offers it.
  const serve = servesForThisFile();
  const fargateSpot = join(REPO, "fixtures", "stacks", "fargate-spot.yaml");
  const spotTemplate = (dir: string) => {
    const t = {
      description: "interrupt one of the api's Fargate Spot tasks",
      targets: {
        spotTasks: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "api" }, filters: [{ path: "CapacityProviderName", values: ["FARGATE_SPOT"] }], selectionMode: "COUNT(1)" },
      },
      actions: { interrupt: { actionId: "gameday:ecs:fargate-spot-interrupt", targets: { Tasks: "spotTasks" } } },
      stopConditions: [{ source: "none" }],
      roleArn: "arn:aws:iam::111122223333:role/fis-experiment-role",
    };
    writeFileSync(join(dir, "spot.json"), JSON.stringify(t, null, 2));
    return "spot.json";
  };

  it("runs on the embedded sandbox, whose FIS offers it", async () => {
    const dir = scratch();
    const r = await chaos(["run", "--fis-template", spotTemplate(dir), "--stack", fargateSpot, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/landed: FIS experiment \S+ completed/);
  });

  it("runs through --target on chaos sandbox serve, whose FIS offers it too", async () => {
    const sandbox = await serve(["--speed", "30", "--seed", "7", "--stack", fargateSpot]);
    const dir = scratch();
    const r = await chaos(["run", "--fis-template", spotTemplate(dir), "--target", sandbox.endpoint, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/landed: FIS experiment \S+ completed/);
  });
});
