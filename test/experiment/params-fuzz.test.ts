/**
 * No value in a fault's or probe's `with:` or `target:` can make planning fail with anything but
 * located input errors: a duration such as PT-5S once threw inside a zod refine and reached the
 * user as "internal error" (exit 4) instead of "file:line:col: ... expected ..." (exit 2).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { planExperiment, withPlanProblems } from "../../src/engine/plan.js";
import { listProbes, loadProbe, probeDirs } from "../../src/engine/probe-loader.js";
import { parseExperiment } from "../../src/experiment/loader.js";
import { InvalidInputError } from "../../src/experiment/model.js";
import { faultNames, loadFault } from "../../src/faults/index.js";

const OPTIONS = { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" };

/** The keys a parameter schema declares, read from its JSON Schema so that new parameters are fuzzed too. */
function keysOf(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, unknown> };
  return Object.keys(json.properties ?? {});
}

const faults = await Promise.all(faultNames().map(async (name) => ({ name, module: (await loadFault(name))! })));
const probes = await Promise.all(listProbes(OPTIONS.probeDirs).map(async (name) => ({ name, module: await loadProbe(name, OPTIONS.probeDirs) })));

/** Durations as people get them wrong: signs, missing parts, huge numbers, other units, separators. */
const durationLike = fc.oneof(
  fc.constantFrom("PT-5S", "P-1D", "PT", "P", "PT0S", "P0D", "PT1,5S", "PT1.S", "PT1e3S", "PT99999999999999999999H", "P1M", "P1Y", "-PT5S", "pt2m", "PT2M ", "5s", "-5s", "0s", "1e400s", "PT2M30"),
  fc.tuple(fc.constantFrom("P", "PT", "P1DT", "-P"), fc.oneof(fc.integer(), fc.double({ noNaN: false })), fc.constantFrom("S", "M", "H", "D", "W", "Y", "")).map(([p, n, u]) => `${p}${n}${u}`),
  fc.tuple(fc.oneof(fc.integer(), fc.double()), fc.constantFrom("ms", "s", "m", "h", "d", "")).map(([n, u]) => `${n}${u}`),
);

const selectionLike = fc.oneof(
  fc.constantFrom("ALL", "COUNT(0)", "COUNT(99999999999999999999999)", "PERCENT(0)", "PERCENT(101)", "PERCENT(-1)", "COUNT()", "count(1)"),
  fc.tuple(fc.constantFrom("COUNT", "PERCENT"), fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 30n }))).map(([m, n]) => `${m}(${n})`),
);

const anyValue = fc.oneof(
  durationLike,
  selectionLike,
  fc.constantFrom(-1, 0, 1, 50, 100, 101, 1.5, 1e300, -0, "", "web", "i-0abc", "subnet-1", "PutRecords", "errors", "timeouts", true, null, [], {}),
  fc.array(fc.constantFrom("PutRecord", "GetRecords", "nope", "i-0abc", "subnet-1", 5), { maxLength: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A map with some of the declared keys (and sometimes an unknown one), each with any value. */
function paramsFor(keys: string[]): fc.Arbitrary<Record<string, unknown>> {
  const entry = fc.tuple(fc.oneof({ weight: 9, arbitrary: keys.length ? fc.constantFrom(...keys) : fc.constant("extra") }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), anyValue);
  return fc.array(entry, { maxLength: 5 }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

const faultStep = fc.oneof(
  ...faults.map(({ name, module }) =>
    fc.record({ with: paramsFor(keysOf(module.params)), target: paramsFor(keysOf(module.target)) }).map((s) => ({ fault: name, ...s })),
  ),
);
const probeStep = fc.oneof(...probes.map(({ name, module }) => paramsFor(keysOf(module.params)).map((w) => ({ probe: name, with: w }))));

/** Load and plan as `chaos validate` does; the errors it would print, or [] when it plans. */
async function validate(text: string, file = "exp.json"): Promise<InvalidInputError | undefined> {
  try {
    await planExperiment(parseExperiment(text, file, { env: {} }), OPTIONS);
    return undefined;
  } catch (err) {
    const reported = await withPlanProblems(err, OPTIONS);
    if (reported instanceof InvalidInputError) return reported;
    throw reported;
  }
}

describe("fault and probe parameters", () => {
  it("covers every fault and every built-in probe", () => {
    expect(faults.map((f) => f.name)).toContain("kinesis-throttle");
    expect(probes.map((p) => p.name)).toContain("http-slo");
  });

  it("never fail planning with anything but located input errors, whatever their values", async () => {
    let planned = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(faultStep, probeStep), { minLength: 1, maxLength: 3 }), async (method) => {
        const text = JSON.stringify({ title: "t", method }, null, 2);
        const error = await validate(text);
        if (!error) {
          planned++;
          return;
        }
        rejected++;
        expect(error.errors.length).toBeGreaterThan(0);
        for (const e of error.errors) {
          expect(e.expected, e.found).not.toContain("gameday bug");
          expect(e.file).toBe("exp.json");
          expect(e.position, JSON.stringify(e)).toBeDefined();
          expect(e.path).toMatch(/^method\[\d+\]/);
        }
      }),
      { numRuns: 400 },
    );
    expect(planned).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(100);
  });

  it("report a malformed fault duration at its line, not as an internal error", async () => {
    for (const [fault, key, target] of [
      ["kinesis-throttle", "duration", "{ stream: app-logs }"],
      ["kinesis-outage", "duration", "{ role: shipper }"],
      ["drain", "duration", "{ cluster: prod }"],
      ["spot-interrupt", "durationBeforeInterruption", "{ cluster: prod, tags: { a: b } }"],
    ] as const) {
      const text = ["title: t", "method:", `  - fault: ${fault}`, `    target: ${target}`, `    with: { ${key}: PT-5S }`, ""].join("\n");
      const error = await validate(text, "exp.yaml");
      expect(error, fault).toBeInstanceOf(InvalidInputError);
      expect(error!.errors).toHaveLength(1);
      expect(error!.errors[0]).toMatchObject({ path: `method[0].with.${key}`, position: { line: 5 }, found: expect.stringContaining("PT-5S") });
    }
  });
});

describe("probe durations", () => {
  it("say why a value is not a duration", async () => {
    const error = await validate(["title: t", "method:", "  - probe: draining", "    with: { within: PT-5S }", "  - probe: draining", "    with: { within: 1m30 }", ""].join("\n"), "exp.yaml");
    expect(error!.errors.map((e) => [e.path, e.position?.line, e.found])).toEqual([
      ["method[0].with.within", 4, '"PT-5S": not an ISO 8601 duration'],
      ["method[1].with.within", 6, '"1m30": units must follow each other without gaps, as in 1m30s'],
    ]);
  });
});

describe("fault selection modes", () => {
  it("refuse a COUNT or PERCENT that selects nothing or more than a number can hold, at its line", async () => {
    for (const select of ["COUNT(99999999999999999999999)", "COUNT(0)", "PERCENT(0)", "PERCENT(150)"]) {
      const text = ["title: t", "method:", "  - fault: task-kill", `    target: { cluster: prod, select: "${select}" }`, ""].join("\n");
      const error = await validate(text, "exp.yaml");
      expect(error, select).toBeInstanceOf(InvalidInputError);
      expect(error!.errors.map((e) => [e.path, e.position?.line, e.found])).toEqual([["method[0].target.select", 4, JSON.stringify(select)]]);
    }
    expect(await validate(["title: t", "method:", "  - fault: task-kill", "    target: { cluster: prod, select: PERCENT(100) }", ""].join("\n"), "exp.yaml")).toBeUndefined();
  });
});
