/**
 * A bad stack file is reported as a bad experiment file is: `file:line:col: path: expected ...,
 * found ...`, paths as `services[0].name`, a did-you-mean for a misspelt key, and the position in
 * the file of the `extends:` chain that holds the offending key or value.
 */
import { describe, expect, it } from "vitest";
import { join, relative } from "node:path";
import { loadStack, StackError } from "../../../src/sandbox/stack/load.js";
import { InvalidInputError } from "../../../src/experiment/model.js";

const dir = join(import.meta.dirname, "../../fixtures/stacks");
const bad = (name: string) => join(dir, name);

function problems(file: string): string[] {
  try {
    loadStack(file);
  } catch (err) {
    // An InvalidInputError: the CLI prints it line by line and exits 2, as for an experiment.
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toBeInstanceOf(StackError);
    return (err as StackError).problems.map((p) => p.split(`${dir}/`).join(""));
  }
  throw new Error(`expected ${relative(dir, file)} to be rejected`);
}

describe("stack file errors", () => {
  it("a misspelt key: where it is, the keys allowed there, and the one meant", () => {
    expect(problems(bad("typo-key.yaml"))).toEqual([
      "typo-key.yaml:6:5: clusters[0].spotInstanceDrainin: expected one of `name`, `spotInstanceDraining` or `tags` (did you mean `spotInstanceDraining`?), found the unknown key `spotInstanceDrainin`",
    ]);
  });

  it("a value of the wrong type: what was expected in words, and the value found", () => {
    expect(problems(bad("wrong-type.yaml"))).toEqual([
      'wrong-type.yaml:4:20: availabilityZones: expected a list, found "us-east-1a"',
      'wrong-type.yaml:7:36: load.web[0].constantUsersPerSec.rate: expected a number, found "lots"',
    ]);
  });

  it("a problem in a child that extends default.yaml points into the child, not the parent it replaced", () => {
    // The child's taskDefinitions list replaces default.yaml's, which does have threads.
    expect(problems(bad("bad-child.yaml"))).toEqual(["bad-child.yaml:9:5: taskDefinitions[0].app.threads: expected a number, found nothing"]);
  });

  it("a problem inherited from the parent points into the parent", () => {
    const line = "bad-parent.yaml:6:26: targetGroups[0].deregistrationDelay: expected 0 s to 3600 s, found 7200 s";
    expect(problems(bad("bad-parent.yaml"))).toEqual([line]);
    expect(problems(bad("inherits-bad.yaml"))).toEqual([line]);
  });

  it("a misspelt key inside a union (a load stage) still gets its did-you-mean, and a stage of no known kind says what is", () => {
    expect(problems(bad("misspelt-in-union.yaml"))).toEqual([
      'misspelt-in-union.yaml:6:24: load.web[0].rampUsersPerSec.during: expected a duration such as "PT30S", "PT2M" or "250ms", found nothing',
      "misspelt-in-union.yaml:6:43: load.web[0].rampUsersPerSec.durin: expected one of `from`, `to` or `during` (did you mean `during`?), found the unknown key `durin`",
      "misspelt-in-union.yaml:7:7: load.web[1]: expected a stage: `rampUsersPerSec: { from, to, during }` or `constantUsersPerSec: { rate, during }`, found a map {\"steadyUsersPerSec\":{\"rate\":5}}",
    ]);
  });

  it("an extends: that names no file is reported at the extends: line", () => {
    expect(problems(bad("extends-nothing.yaml"))).toEqual([`extends-nothing.yaml:2:10: extends: expected the path of a stack file, found no file at ${join(dir, "no-such-stack.yaml")}`.split(`${dir}/`).join("")]);
  });
});
