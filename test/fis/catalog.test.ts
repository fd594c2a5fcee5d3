/**
 * The neutral FIS catalog (src/fis/) is what both the CLI and the sandbox's FIS validate against:
 * the sandbox, with the default stack, carries out exactly the actions and resource types it
 * describes, and the validator judges a template the same way with either.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIS_ACTIONS, FIS_RESOURCE_TYPES, fisCatalog } from "../../src/fis/catalog.js";
import { FisRejection } from "../../src/fis/errors.js";
import { validateCreateRequest } from "../../src/fis/validate-template.js";
import { harness, type Harness } from "../sandbox/harness.js";

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/fis", name), "utf8")) as Record<string, unknown>;

let h: Harness;
beforeAll(async () => {
  h = await harness(readFileSync(join(import.meta.dirname, "../../fixtures/stacks/default.yaml"), "utf8"), { ready: false });
});
afterAll(async () => h.close());

describe("the catalog and the sandbox's FIS", () => {
  it("the sandbox registers an implementation for every described action, and no other", () => {
    const registered = h.sandbox.fis.actions().map((a) => a.actionId).sort();
    expect(registered).toEqual(FIS_ACTIONS.map((a) => a.actionId).sort());
    for (const described of FIS_ACTIONS) {
      const action = h.sandbox.fis.action(described.actionId)!;
      expect(action.target, described.actionId).toEqual(described.target);
      expect(action.parameters, described.actionId).toBe(described.parameters);
    }
  });

  it("the sandbox resolves every described resource type, and no other", () => {
    expect(h.sandbox.fis.resourceTypes().map((t) => t.resourceType).sort()).toEqual(FIS_RESOURCE_TYPES.map((t) => t.resourceType).sort());
    for (const described of FIS_RESOURCE_TYPES) {
      const { candidates: _, ...registered } = h.sandbox.fis.resourceType(described.resourceType)!;
      expect(registered).toEqual(described);
    }
  });
});

describe("validateCreateRequest against the catalog", () => {
  it("accepts the valid fixtures", () => {
    expect(() => validateCreateRequest(fixture("valid/spot-interrupt.json"), fisCatalog)).not.toThrow();
    expect(() => validateCreateRequest(fixture("valid/kinesis-throttle.json"), fisCatalog)).not.toThrow();
  });

  it("names the member at fault beside FIS's reason", () => {
    const t = fixture("valid/spot-interrupt.json");
    (t.actions as Record<string, { parameters: Record<string, string> }>).settle!.parameters.duration = "PT13H";
    let caught: unknown;
    try {
      validateCreateRequest(t, fisCatalog);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FisRejection);
    expect((caught as FisRejection).path).toBe("actions.settle.parameters.duration");
    expect((caught as FisRejection).message).toBe('Invalid value for parameter "duration" in action "settle" (aws:fis:wait): expected an ISO 8601 duration from PT1M to PT12H, found "PT13H".');
  });

  it("refuses more than 5 stop conditions as FIS's quota, at stopConditions", () => {
    const t = fixture("valid/kinesis-throttle.json");
    t.stopConditions = Array.from({ length: 6 }, (_, i) => ({ source: "aws:cloudwatch:alarm", value: `arn:aws:cloudwatch:us-east-1:111122223333:alarm:a${i}` }));
    expect(() => validateCreateRequest(t, fisCatalog)).toThrow(expect.objectContaining({ code: "ServiceQuotaExceededException", path: "stopConditions" }));
  });
});
