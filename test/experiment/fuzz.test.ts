/**
 * Mutated experiment files never crash the loader: the result is a valid experiment or an
 * InvalidInputError whose every error is complete and located.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, stringify } from "yaml";
import { parseExperiment } from "../../src/experiment/loader.js";
import { formatPath, InvalidInputError, type LoadedExperiment } from "../../src/experiment/model.js";
import { FIXTURES } from "./helpers.js";

const ENV = { ORDERS_API_TOKEN: "tok", SHIPPER_WEBHOOK_TOKEN: "tok" };

const SEEDS: unknown[] = [
  ...["spot-drain.yaml", "kinesis-outage.yaml", "ctk-orders-api.json"].map((f) => parse(readFileSync(`${FIXTURES}${f}`, "utf8"))),
  parse(readFileSync(new URL("../../experiments/spot-interrupt.yaml", import.meta.url), "utf8")),
];

type Path = (string | number)[];
type Json = unknown;

function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

function parentAndKey(root: Json, path: Path): { parent: any; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let node: any = root;
  for (const part of path.slice(0, -1)) node = node[part];
  return { parent: node, key: path[path.length - 1] as string | number };
}

/** A key an author might plausibly write, or anything at all. */
const anyKey = fc.oneof(
  fc.constantFrom("name", "with", "whith", "tolerance", "mode", "type", "ref", "fault", "probe", "pause", "timeout", "stop_conditions", "method", "__proto__", "constructor", "toString", "hasOwnProperty", "${x}"),
  fc.string({ maxLength: 12 }),
);

/** Scalars with meaning to the loader, and arbitrary JSON. */
const anyValue = fc.oneof(
  fc.constantFrom("PT2M", "P1M", "5s", "${cluster}", "${nope}", "$${x}", "${env:HOME}", ">= 0.999", "<= 300 parsecs", "between 5 and 1", "on-chaos", "python", "", null, 0, -1, 1.5, true, [], {}),
  fc.constantFrom("${env:constructor}", "${toString}", "<= 1constructor", { type: "constructor" }, { type: "probe" }, { type: "vault", path: "x" }, { type: "env", key: "HOME" }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation = (doc: Json) => void;

const structural: fc.Arbitrary<(doc: Json) => void> = fc.oneof(
  // delete a key (or list item)
  fc.nat().map((n): Mutation => (doc) => {
    const paths = pathsOf(doc).filter((p) => p.length > 0);
    const target = parentAndKey(doc, paths[n % paths.length] ?? []);
    if (!target) return;
    if (Array.isArray(target.parent)) target.parent.splice(target.key as number, 1);
    else delete target.parent[target.key];
  }),
  // change a value's type, or replace it with random JSON
  fc.tuple(fc.nat(), anyValue).map(([n, value]): Mutation => (doc) => {
    const paths = pathsOf(doc).filter((p) => p.length > 0);
    const target = parentAndKey(doc, paths[n % paths.length] ?? []);
    if (target) target.parent[target.key] = structuredClone(value);
  }),
  // insert a key into a map
  fc.tuple(fc.nat(), anyKey, anyValue).map(([n, key, value]): Mutation => (doc) => {
    const maps = pathsOf(doc).filter((p) => {
      let node: any = doc;
      for (const part of p) node = node[part];
      return node && typeof node === "object" && !Array.isArray(node);
    });
    let node: any = doc;
    for (const part of maps[n % maps.length] ?? []) node = node[part];
    Object.defineProperty(node, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
  }),
  // duplicate a step
  fc.nat().map((n): Mutation => (doc: any) => {
    const lists = [doc?.method, doc?.rollbacks, doc?.["stop-conditions"], doc?.["steady-state-hypothesis"]?.probes].filter((l) => Array.isArray(l) && l.length > 0);
    const list = lists[n % Math.max(lists.length, 1)];
    if (list) list.push(structuredClone(list[n % list.length]));
  }),
);

const textual: fc.Arbitrary<(text: string) => string> = fc.oneof(
  // truncate at a random point
  fc.nat().map((n) => (text: string) => text.slice(0, n % (text.length + 1))),
  // break the indentation of one line
  fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })).map(([n, shift]) => (text: string) => {
    const lines = text.split("\n");
    const i = n % lines.length;
    const line = lines[i] ?? "";
    lines[i] = shift >= 0 ? " ".repeat(shift) + line : line.replace(new RegExp(`^ {0,${-shift}}`), "");
    return lines.join("\n");
  }),
  // duplicate a line
  fc.nat().map((n) => (text: string) => {
    const lines = text.split("\n");
    const i = n % lines.length;
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  }),
);

const mutatedFile = fc
  .record({
    seed: fc.nat({ max: SEEDS.length - 1 }),
    structural: fc.array(structural, { maxLength: 3 }),
    asJson: fc.boolean(),
    textual: fc.option(textual, { freq: 3 }),
  })
  .map(({ seed, structural, asJson, textual }) => {
    const doc = structuredClone(SEEDS[seed]);
    for (const mutate of structural) mutate(doc);
    const text = asJson ? JSON.stringify(doc, null, 2) : stringify(doc);
    return { file: asJson ? "mutated.json" : "mutated.yaml", text: textual ? textual(text) : text };
  });

function checkLoaded(loaded: LoadedExperiment): void {
  const e = loaded.experiment;
  const steps = [...(e.steadyStateHypothesis?.probes ?? []), ...e.method, ...e.rollbacks, ...e.stopConditions];
  const names = steps.map((s) => s.name);
  expect(new Set(names).size).toBe(names.length);
  for (const step of steps) expect(loaded.positionOf(step.at), formatPath(step.at)).toBeDefined();
  expect(e.runtime.interval).toBeGreaterThanOrEqual(0);
}

describe("the loader on mutated experiment files", () => {
  it("returns a valid experiment or an InvalidInputError with complete, located errors, never anything else", () => {
    let loaded = 0;
    let rejected = 0;
    let partials = 0;
    fc.assert(
      fc.property(mutatedFile, ({ file, text }) => {
        let result: LoadedExperiment;
        try {
          result = parseExperiment(text, file, { env: ENV });
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          rejected++;
          // What is kept for planning is built like a loaded experiment: unique names, steps that exist in the file.
          if (err.partial) {
            partials++;
            checkLoaded(err.partial);
          }
          const lineCount = text.split("\n").length;
          expect(err.errors.length).toBeGreaterThan(0);
          for (const e of err.errors) {
            // An internal exception is turned into an error too; it must never be what a user sees.
            expect(e.expected, e.found).not.toContain("gameday bug");
            expect(e.file).toBe(file);
            for (const field of [e.path, e.expected, e.found]) {
              expect(typeof field).toBe("string");
              expect(field.length).toBeGreaterThan(0);
            }
            // Every error points into the file: at its path, or at the nearest part of it that exists.
            expect(e.position, JSON.stringify(e)).toBeDefined();
            expect(e.position?.line).toBeGreaterThanOrEqual(1);
            expect(e.position?.line).toBeLessThanOrEqual(lineCount + 1);
            expect(e.position?.column).toBeGreaterThanOrEqual(1);
          }
          return;
        }
        loaded++;
        checkLoaded(result);
      }),
      { numRuns: 400 },
    );
    // The mutations must exercise both outcomes, or the property says little.
    expect(loaded).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(100);
    expect(partials).toBeGreaterThan(50);
  });

  it("puts an error whose path exists in the file at that key or value", () => {
    let checked = 0;
    fc.assert(
      fc.property(mutatedFile, ({ file, text }) => {
        let errors;
        try {
          parseExperiment(text, file, { env: ENV });
          return;
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          errors = err.errors;
        }
        const lines = new LineCounter();
        const doc = parseDocument(text, { lineCounter: lines, ...(file.endsWith(".json") ? { schema: "json" as const } : {}) });
        if (doc.errors.length > 0) return; // syntax errors: checked by the property above
        const byPath = new Map(pathsOf(doc.toJS()).map((p) => [formatPath(p), p]));
        for (const e of errors) {
          const path = byPath.get(e.path);
          if (!path || path.length === 0) continue;
          const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
          const last = path[path.length - 1];
          const offsets: (number | undefined)[] = [];
          if (isMap(parent)) {
            const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
            offsets.push((pair?.key as { range?: number[] } | undefined)?.range?.[0], (pair?.value as { range?: number[] } | null | undefined)?.range?.[0]);
          } else if (isSeq(parent) && typeof last === "number") {
            offsets.push((parent.items[last] as { range?: number[] } | undefined)?.range?.[0]);
          }
          const candidates = offsets.filter((o): o is number => o !== undefined).map((o) => lines.linePos(o)).map(({ line, col }) => ({ line, column: col }));
          expect(candidates, `${e.path}: ${JSON.stringify(e)}`).toContainEqual(e.position);
          checked++;
        }
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});
