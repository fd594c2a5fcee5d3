// Experiments and stacks are parsed with zod's JIT off (PARSED_ONCE): the same data and the same
// issues as with it on, for every catalog experiment and stack, and for random damage to them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { experimentSchema } from "../../src/experiment/schema.js";
import { PARSED_ONCE } from "../../src/experiment/schema-kit.js";
import { stackSchema } from "../../src/sandbox/stack/schema.js";

const root = new URL("../../", import.meta.url).pathname;
const docs = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => ({ file: `${dir}/${f}`, doc: parse(readFileSync(join(root, dir, f), "utf8")) as unknown }));

/** What a caller sees of a parse: success, the data, and each issue's code, path and message. */
function outcome(result: z.ZodSafeParseResult<unknown>) {
  return result.success ? { data: result.data } : { issues: result.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })) };
}

function agree(schema: z.ZodType, doc: unknown): void {
  const once = outcome(schema.safeParse(doc, PARSED_ONCE));
  const jit = outcome(schema.safeParse(doc));
  expect(once).toEqual(jit);
}

/** Every path to a value inside `doc`. */
function paths(doc: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (doc === null || typeof doc !== "object") return [at];
  const keys = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  return [at, ...keys.flatMap((k) => paths((doc as Record<string | number, unknown>)[k], [...at, k]))];
}

function replaced(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = path;
  if (value === DELETE && rest.length === 0 && !Array.isArray(doc)) delete copy[head!];
  else copy[head!] = replaced(copy[head!], rest, value);
  return copy;
}

const DELETE = Symbol("delete");
const damage = fc.constantFrom<unknown>(DELETE, 7, -1, "x", "PT5S", "", null, true, [], {}, { bogus: 1 }, ["a"], 1.5);

describe.each([
  { what: "experiments", schema: experimentSchema as z.ZodType, files: [...docs("experiments"), ...docs("fixtures/experiments")] },
  { what: "stacks", schema: stackSchema as z.ZodType, files: docs("fixtures/stacks") },
])("$what parsed once", ({ schema, files }) => {
  it("give what zod's JIT gives, for every file", () => {
    expect(files.length).toBeGreaterThan(5);
    for (const { doc } of files) agree(schema, doc);
  });

  it("give what zod's JIT gives, for damaged files", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), damage, (f, p, value) => {
        const { doc } = files[f % files.length]!;
        const all = paths(doc);
        agree(schema, replaced(doc, all[p % all.length]!, value));
      }),
      { numRuns: 300 },
    );
  });
});
