import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { experimentJsonSchema } from "../../src/experiment/schema.js";
import { FIXTURES } from "./helpers.js";

const CATALOG = new URL("../../experiments/", import.meta.url).pathname;
const schema = experimentJsonSchema();
// zod writes `format: uri` for URLs; an editor checks it, the test only needs the structure.
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, formats: { uri: true } }).compile(schema);

type Json = Record<string, any>;
const defs = (schema as Json).$defs as Json;

describe("experimentJsonSchema", () => {
  it("is a draft 2020-12 schema with a title and closed top-level keys", () => {
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", title: "gameday experiment", type: "object", additionalProperties: false });
    expect(Object.keys((schema as Json).properties)).toEqual([
      "version",
      "title",
      "description",
      "tags",
      "contributions",
      "configuration",
      "secrets",
      "steady-state-hypothesis",
      "method",
      "rollbacks",
      "stop-conditions",
      "runtime",
      "extensions",
    ]);
    expect((schema as Json).required).toEqual(["title", "method"]);
  });

  it("gives editors the step kinds with titles and descriptions, and enums to complete", () => {
    for (const id of ["FaultStep", "ProbeStep", "PauseStep", "RefStep", "Activity", "HttpProvider", "ProcessProvider", "Tolerance", "Duration"]) {
      expect(defs[id], id).toBeDefined();
      expect(defs[id].description, id).toEqual(expect.any(String));
    }
    expect(defs.ProbeStep.properties.mode.enum).toEqual(expect.arrayContaining(["sot", "eot", "edge", "continuous", "on-chaos", "OnChaos"]));
    expect(defs.ProbeStep.properties.probe.pattern).toBe("^[a-z][a-z0-9-]*$");
    expect(defs.ProbeStep.additionalProperties).toBe(false);
    const hypothesis = JSON.stringify((schema as Json).properties.runtime);
    expect(hypothesis).toContain('"before-method-only"');
  });

  it("leaks no internal error notes", () => {
    expect(JSON.stringify(schema)).not.toContain("gameday-note");
  });

  const valid = [
    ...["spot-drain.yaml", "kinesis-outage.yaml", "ctk-orders-api.json"].map((f) => join(FIXTURES, f)),
    ...readdirSync(CATALOG).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(CATALOG, f)),
  ];
  it.each(valid)("accepts %s", (file) => {
    const ok = validate(parse(readFileSync(file, "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("rejects what the loader rejects for editors to flag: unknown keys, python providers, bad modes, misplaced faults", () => {
    const bad = [
      { title: "t", method: [], stop_conditions: [] },
      { title: "t", method: [{ fault: "f", whith: {} }] },
      { title: "t", method: [{ type: "action", name: "a", provider: { type: "python", module: "m", func: "f" } }] },
      { title: "t", method: [{ probe: "p", mode: "sometimes" }] },
      { title: "t", method: [], "stop-conditions": [{ fault: "f" }] },
      { title: "t", method: [{ pause: 5 }] },
    ];
    for (const doc of bad) expect(validate(doc), JSON.stringify(doc)).toBe(false);
  });
});

describe("chaos schema: each fault's and probe's parameters", async () => {
  // What `chaos schema` prints: the same schema plus every step's `with:` (and a fault's `target:`).
  const { fullExperimentJsonSchema } = await import("../../src/cli/schema-command.js");
  const full = (await fullExperimentJsonSchema(join(CATALOG, ".."))) as Json;
  const check = new Ajv2020({ strict: true, allowUnionTypes: true, formats: { uri: true } }).compile(full);
  const withFault = (fault: string, params: Json, target: Json = { cluster: "prod" }) => ({ title: "t", method: [{ fault, target, with: params }] });

  it("rejects a misspelt fault parameter and accepts the right one", () => {
    expect(check(withFault("drain", { percentage: 17, duration: "PT5M" })), JSON.stringify(check.errors)).toBe(true);
    expect(check(withFault("drain", { percentge: 17 }))).toBe(false);
    expect(JSON.stringify(check.errors)).toContain("percentge");
  });

  it("checks each parameter's type and range, and a target's keys", () => {
    expect(check(withFault("drain", { percentage: 150 }))).toBe(false);
    expect(check(withFault("drain", { percentage: "half" }))).toBe(false);
    expect(check(withFault("kinesis-outage", { effect: "blackhole" }, { role: "producer" }))).toBe(false);
    expect(check(withFault("kinesis-outage", { effect: "timeouts" }, { subnets: ["subnet-0abc"] }))).toBe(true);
    expect(check(withFault("drain", {}, { clustr: "prod" }))).toBe(false);
    expect(check(withFault("dran", {}))).toBe(false);
  });

  it("accepts ${name} for any parameter: it is substituted before validation", () => {
    expect(check(withFault("drain", { percentage: "${share}" }, { cluster: "${cluster}" })), JSON.stringify(check.errors)).toBe(true);
  });

  it("checks probe parameters the same way", () => {
    const probe = (params: Json) => ({ title: "t", method: [{ probe: "service-recovery", with: params }] });
    expect(check(probe({ cluster: "prod", service: "web", within: "PT2M" })), JSON.stringify(check.errors)).toBe(true);
    expect(check(probe({ cluster: "prod", service: "web", whithin: "PT2M" }))).toBe(false);
  });

  it("gives editors the descriptions, defaults and FIS mapping to show, and the names to complete", () => {
    const drain = (full.$defs.FaultStep.allOf as Json[]).find((c) => c.if.properties.fault.const === "drain")!;
    const percentage = drain.then.properties.with.properties.percentage;
    expect(percentage.default).toBe(20);
    expect(percentage.description).toMatch(/rounds up/);
    expect(percentage.description).toContain("aws:ecs:drain-container-instances parameter drainagePercentage");
    expect(full.$defs.FaultStep.properties.fault.enum).toEqual(expect.arrayContaining(["drain", "spot-interrupt", "task-kill"]));
    expect(full.$defs.ProbeStep.properties.probe.examples).toEqual(expect.arrayContaining(["http-slo", "draining"]));
    expect(JSON.stringify(full)).not.toMatch(/"(fis|gamedayType)":/);
  });

  const catalog = readdirSync(CATALOG).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(CATALOG, f));
  it.each(catalog)("still accepts %s", (file) => {
    const ok = check(parse(readFileSync(file, "utf8")));
    expect(check.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});
