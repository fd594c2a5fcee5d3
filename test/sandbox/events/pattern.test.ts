import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { matches, validatePattern } from "../../../src/sandbox/services/events/pattern.js";

const events = join(import.meta.dirname, "../../../fixtures/events");
const load = (name: string) => JSON.parse(readFileSync(join(events, name), "utf8")) as Record<string, unknown>;
const patterns = JSON.parse(readFileSync(join(events, "rule-patterns.json"), "utf8")) as Record<string, Record<string, unknown>>;

describe("EventBridge event patterns", () => {
  it("route the shipped fixtures as the shipped rules say", () => {
    const warning = load("ec2-spot-interruption-warning.terminate.json");
    expect(matches(patterns.spotInterruptionWarning!, warning)).toBe(true);
    expect(matches(patterns.rebalanceRecommendation!, warning)).toBe(false);
    expect(matches(patterns.rebalanceRecommendation!, load("ec2-instance-rebalance-recommendation.json"))).toBe(true);
    expect(matches(patterns.asgTerminateLifecycle!, load("asg-instance-terminate-lifecycle-action.eventbridge.json"))).toBe(true);
    expect(matches(patterns.asgTerminateLifecycleScoped!, load("asg-instance-terminate-lifecycle-action.eventbridge.json"))).toBe(true);
    expect(matches(patterns.ecsTaskStateChange!, load("ecs-task-state-change.fargate-spot-interruption.json"))).toBe(true);
    expect(matches(patterns.ecsTaskStateChange!, load("ecs-task-state-change.fargate-running.json"))).toBe(false);
  });

  it("support content filters", () => {
    const e = { source: "aws.ecs", detail: { lastStatus: "STOPPED", stoppedReason: "Host EC2 (instance i-1) terminated.", version: 7, tags: ["a", "b"] } };
    expect(matches({ detail: { stoppedReason: [{ prefix: "Host EC2" }] } }, e)).toBe(true);
    expect(matches({ detail: { stoppedReason: [{ suffix: "terminated." }] } }, e)).toBe(true);
    expect(matches({ detail: { stoppedReason: [{ wildcard: "Host EC2 (instance i-*) terminated." }] } }, e)).toBe(true);
    expect(matches({ detail: { lastStatus: [{ "anything-but": ["RUNNING", "PENDING"] }] } }, e)).toBe(true);
    expect(matches({ detail: { lastStatus: [{ "anything-but": "STOPPED" }] } }, e)).toBe(false);
    expect(matches({ detail: { version: [{ numeric: [">", 5, "<=", 7] }] } }, e)).toBe(true);
    expect(matches({ detail: { version: [{ numeric: [">", 7] }] } }, e)).toBe(false);
    expect(matches({ detail: { stopCode: [{ exists: false }] } }, e)).toBe(true);
    expect(matches({ detail: { stopCode: [{ exists: true }] } }, e)).toBe(false);
    expect(matches({ detail: { tags: ["b"] } }, e)).toBe(true);
    expect(matches({ source: [{ "equals-ignore-case": "AWS.ECS" }] }, e)).toBe(true);
    expect(matches({ $or: [{ source: ["aws.ec2"] }, { detail: { lastStatus: ["STOPPED"] } }] }, e)).toBe(true);
    expect(matches({ detail: { missing: ["x"] } }, e)).toBe(false);
  });

  it("reject malformed patterns with the path", () => {
    expect(() => validatePattern({ source: "aws.ec2" })).toThrow(/pattern\.source: expected a list of values or a nested pattern, found "aws\.ec2"/);
    expect(() => validatePattern({ detail: { x: [] } })).toThrow(/pattern\.detail\.x: expected a non-empty list/);
  });
});
