/**
 * A bad stack file through the CLI, as a user meets it: exit 2, one line per problem in the
 * experiment errors' form, each at the file and line that holds it, then the count; no stack trace.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";

const fixtures = join(REPO, "test", "fixtures", "stacks");

describe("chaos run --stack with a bad stack file", () => {
  it("a misspelt key in a child of default.yaml: exit 2, file:line:col, path, did-you-mean", async () => {
    const r = await chaos(["run", "spot-interrupt", "--stack", join(fixtures, "typo-key.yaml")], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${join(fixtures, "typo-key.yaml")}:6:5: clusters[0].spotInstanceDrainin: expected one of \`name\`, \`spotInstanceDraining\` or \`tags\` (did you mean \`spotInstanceDraining\`?), found the unknown key \`spotInstanceDrainin\`\n1 error\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("a problem a child inherits from its parent is reported in the parent", async () => {
    const r = await chaos(["run", "spot-interrupt", "--stack", join(fixtures, "inherits-bad.yaml")], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${join(fixtures, "bad-parent.yaml")}:6:26: targetGroups[0].deregistrationDelay: expected 0 s to 3600 s, found 7200 s\n1 error\n`);
  });

  it("an experiment file given as the stack: one line saying it is an experiment, not an unknown-key error per top-level key", async () => {
    const experiment = join(REPO, "experiments", "spot-interrupt.yaml");
    const r = await chaos(["run", "spot-interrupt", "--stack", experiment], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${experiment}:1:1: (document): expected a sandbox stack file (availabilityZones, clusters, services, ...), found an experiment (title and method): give it as the experiment, and a stack with --stack\n1 error\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("chaos sandbox serve reports it the same way", async () => {
    const r = await chaos(["sandbox", "serve", "--port", "0", "--stack", join(fixtures, "bad-child.yaml")], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${join(fixtures, "bad-child.yaml")}:9:5: taskDefinitions[0].app.threads: expected a number, found nothing\n1 error\n`);
  });
});
