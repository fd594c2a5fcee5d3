/**
 * A `chaos:` pre-check runs against the game day's target: its --target, --region and --profile
 * are added for the commands that accept them, unless the pre-check names its own target.
 */
import { describe, expect, it } from "vitest";
import { withGamedayTarget } from "../../src/schedule/gameday-prechecks.js";

describe("withGamedayTarget", () => {
  it("adds the game day's --target, --region and --profile to a plan", () => {
    expect(withGamedayTarget(["run", "spot-interrupt", "--dry"], { target: "aws", region: "eu-west-1", profile: "staging" })).toEqual([
      "run",
      "spot-interrupt",
      "--dry",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
      "--profile",
      "staging",
    ]);
    expect(withGamedayTarget(["plan", "kinesis-outage"], { target: "http://127.0.0.1:4566" })).toEqual(["plan", "kinesis-outage", "--target", "http://127.0.0.1:4566"]);
  });

  it("keeps a pre-check's own target (and adds none of the game day's options), and its own region", () => {
    expect(withGamedayTarget(["run", "x", "--dry", "--target", "sandbox"], { target: "aws", region: "eu-west-1" })).toEqual(["run", "x", "--dry", "--target", "sandbox"]);
    expect(withGamedayTarget(["run", "x", "--target=sandbox"], { target: "aws", region: "eu-west-1" })).toEqual(["run", "x", "--target=sandbox"]);
    expect(withGamedayTarget(["lint", "--region", "us-east-1"], { target: "aws", region: "eu-west-1", profile: "p" })).toEqual(["lint", "--region", "us-east-1", "--target", "aws", "--profile", "p"]);
  });

  it("leaves commands that take no target as they are; gate takes --target only", () => {
    expect(withGamedayTarget(["validate", "x"], { target: "aws", region: "eu-west-1" })).toEqual(["validate", "x"]);
    expect(withGamedayTarget(["gate", "suite"], { target: "aws", region: "eu-west-1" })).toEqual(["gate", "suite", "--target", "aws"]);
  });
});
