import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatInputError } from "../../src/experiment/model.js";
import { errorAt, errorsOf, FIXTURES, withMethod } from "./helpers.js";

describe("invalid experiments are reported at file:line:col with the path, what was expected and what was found", () => {
  it("bad YAML syntax", () => {
    const [error, ...rest] = errorsOf("title: t\nmethod:\n  - pause: 'PT1M\n");
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ file: "exp.yaml", position: { line: 4, column: 1 }, path: "(document)", expected: "valid YAML" });
    expect(error?.found).toContain("missing closing 'quote");
  });

  it("bad JSON syntax in a .json file", () => {
    const [error] = errorsOf('{"title": "t",\n "method": [yes]}', "exp.json");
    expect(error).toMatchObject({ position: { line: 2, column: 13 }, expected: "valid JSON: strings in double quotes", found: "the unquoted value `yes`" });
  });

  it("JSON syntax in a .json file, in JSON's words (never the YAML parser's), once, at the place it breaks", () => {
    const cases: [string, { line: number; column: number }, string, string][] = [
      ['{\n  "title": "t",\n  "method": [\n    { "pause": "1s" }\n    { "pause": "2s" }\n  ]\n}\n', { line: 5, column: 5 }, "valid JSON: `,` or `]` after an array element", "`{`"],
      ['{\n  "title": "t",\n  "method": [],\n}\n', { line: 4, column: 1 }, "valid JSON: a property name after `,` (JSON allows no trailing comma)", "`}`"],
      ['{"title": "t", "method": [{"pause": "1s"},]}', { line: 1, column: 43 }, "valid JSON: a value after `,` (JSON allows no trailing comma)", "`]`"],
      ['{\n  "title": "t",\n  method: []\n}\n', { line: 3, column: 3 }, "valid JSON: a property name in double quotes", "the unquoted name `method`"],
      ["{\n  'title': 't'\n}\n", { line: 2, column: 3 }, "valid JSON: a property name in double quotes", "a property name in single quotes"],
      ['{\n  "title": "t" "u",\n  "method": []\n}\n', { line: 2, column: 16 }, "valid JSON: `,` or `}` after the value of `title`", 'the string `"u"`'],
      ['{\n  "title": "t",\n  "method": [\n', { line: 4, column: 1 }, "valid JSON: a value in the array", "the end of the file"],
      ['{\n  "title": "two\nlines", "method": []}', { line: 2, column: 16 }, 'valid JSON: a closing `"` before the end of the line (a string cannot span lines: write `\\n`)', "the end of the line"],
      ['{"title": "t", "method": [{"pause": 01}]}', { line: 1, column: 37 }, "valid JSON: a number such as -1, 0.5 or 2e3", "`01`"],
      ['// an experiment\n{"title": "t", "method": []}', { line: 1, column: 1 }, "valid JSON: a value", "a comment (JSON has none)"],
      ['{"title": "t\\q", "method": []}', { line: 1, column: 13 }, "valid JSON: an escape such as `\\n`, `\\\"`, `\\\\` or `\\u00e9`", "`\\q`"],
      ['{"title": "t", "method": []} x', { line: 1, column: 30 }, "valid JSON: nothing after the document's one value", "`x`"],
    ];
    for (const [text, position, expected, found] of cases) {
      const errors = errorsOf(text, "exp.json");
      expect(errors, text).toEqual([{ file: "exp.json", position, path: "(document)", expected, found }]);
      expect(formatInputError(errors[0]!), text).not.toMatch(/flow|block|YAML|scalar|implicit/i);
    }
  });

  it("JSON text in a .yaml file is still read as YAML, which allows a trailing comma", () => {
    expect(() => errorsOf('{"title": "t", "method": [],}', "exp.yaml")).toThrow(/expected errors, but it loaded/);
    expect(errorsOf('{"title": "t", "method": [{ "pause": "1s" } { "pause": "2s" }]}', "exp.yaml")[0]?.expected).toBe("valid YAML");
  });

  it("a duplicate key", () => {
    const [error] = errorsOf("title: t\ntitle: u\nmethod: []\n");
    expect(error).toMatchObject({ position: { line: 2, column: 1 }, expected: "each key at most once in a map", found: "the key `title` a second time" });
  });

  it("an unquoted ${...} inside a flow map, with a hint", () => {
    const errors = errorsOf("title: t\nconfiguration: {c: x}\nmethod:\n  - fault: f\n    target: { cluster: ${c} }\n");
    expect(errors[0]?.position?.line).toBe(5);
    expect(errors[0]?.found).toContain('inside { } or [ ], put quotes around "${...}"');
  });

  it("an alias to an anchor that is not set before it, at the alias", () => {
    const errors = errorsOf("title: t\nmethod:\n  - pause: PT1M\n  - probe: p\n    with: { x: *nope, y: *later }\n  - pause: &later PT1M\n");
    expect(errors.map((e) => [e.position, e.path, e.found])).toEqual([
      [{ line: 5, column: 16 }, "method[1].with.x", "the alias `*nope`, whose anchor `&nope` is not set before it"],
      [{ line: 5, column: 26 }, "method[1].with.y", "the alias `*later`, whose anchor `&later` is not set before it"],
    ]);
    expect(errors[0]?.expected).toContain("&nope");
  });

  it("a value of the wrong type", () => {
    const error = errorAt(errorsOf("title: t\ntags: web\nmethod: []\n"), "tags");
    expect(error).toMatchObject({ position: { line: 2, column: 7 }, expected: "a list", found: '"web"' });
  });

  it("a missing required key, at its parent", () => {
    const error = errorAt(errorsOf("title: t\ndescription: no method\n"), "method");
    expect(error).toMatchObject({ position: { line: 1, column: 1 }, expected: "a list", found: "nothing" });
    const url = errorAt(errorsOf(withMethod("  - type: probe\n    name: up\n    provider: { type: http }\n")), "method[0].provider.url");
    expect(url).toMatchObject({ position: { line: 5, column: 15 }, found: "nothing" });
    expect(url.expected).toContain("an http or https URL");
  });

  it("an unknown top-level key, with a suggestion", () => {
    const error = errorAt(errorsOf("title: t\nmethod: []\nstop_conditions: []\n"), "stop_conditions");
    expect(error.position).toEqual({ line: 3, column: 1 });
    expect(error.expected).toMatch(/^one of `version`, `title`.*`stop-conditions`.*\(did you mean `stop-conditions`\?\)$/);
    expect(error.found).toBe("the unknown key `stop_conditions`");
  });

  it("an unknown key without a near miss lists the known keys only", () => {
    const error = errorAt(errorsOf("title: t\nmethod: []\nowner: me\n"), "owner");
    expect(error.expected).not.toContain("did you mean");
    expect(error.expected).toContain("`steady-state-hypothesis`");
  });

  it("an unknown step key, with a suggestion", () => {
    const error = errorAt(errorsOf(withMethod("  - fault: spot-interrupt\n    whith: { notice: PT2M }\n")), "method[0].whith");
    expect(error).toMatchObject({ position: { line: 4, column: 5 }, found: "the unknown key `whith`" });
    expect(error.expected).toBe("one of `fault`, `name`, `pauses`, `background`, `target`, `with` or `timeout` (did you mean `with`?)");
  });

  it("a step that is none of the known kinds", () => {
    const error = errorAt(errorsOf(withMethod("  - faults: spot-interrupt\n")), "method[0]");
    expect(error.expected).toContain("(did you mean `fault`?)");
    expect(error.found).toBe("a map with `faults`");
  });

  it("Chaos Toolkit controls, with the reason they are not supported", () => {
    const error = errorAt(errorsOf("title: t\nmethod: []\ncontrols:\n  - name: tracing\n"), "controls");
    expect(error.expected).toContain("use `stop-conditions` for safeguards");
  });

  it("a bad duration", () => {
    const months = errorAt(errorsOf(withMethod("  - pause: P1M\n")), "method[0].pause");
    expect(months).toMatchObject({ position: { line: 3, column: 12 }, found: '"P1M": years and months have no fixed length; write days (P30D) or weeks (P4W) instead' });
    const bare = errorAt(errorsOf(withMethod("  - probe: p\n    interval: 30\n")), "method[0].interval");
    expect(bare).toMatchObject({ position: { line: 4, column: 15 }, found: "30" });
    expect(bare.expected).toContain("a bare number has no unit");
  });

  it("an unknown variable, with a suggestion", () => {
    const error = errorAt(errorsOf(withMethod('  - fault: f\n    target: { cluster: "${clstr}" }\n', "configuration: { cluster: web }\n")), "method[0].target.cluster");
    expect(error).toMatchObject({
      position: { line: 5, column: 24 },
      expected: "a configuration key, secret or ${env:NAME} (did you mean `${cluster}`?)",
      found: "${clstr}",
    });
  });

  it("a python provider, saying what to use instead", () => {
    const text = withMethod("  - type: action\n    name: kill\n    provider:\n      type: python\n      module: chaosaws.ecs.actions\n      func: stop_task\n");
    const error = errorAt(errorsOf(text), "method[0].provider");
    expect(error).toMatchObject({
      position: { line: 5, column: 5 },
      expected: "an http or process provider",
      found: "python (module chaosaws.ecs.actions): gameday does not run Python; use a gameday `fault:`/`probe:` step or a `process` provider",
    });
  });

  it("a duplicate step name", () => {
    const text = withMethod("  - fault: f\n    name: hit\n  - pause: PT1S\n    name: hit\n");
    const error = errorAt(errorsOf(text), "method[1].name");
    expect(error).toMatchObject({ position: { line: 6, column: 11 }, found: '"hit", already the name of method[0]' });
  });

  it("a bad probe mode", () => {
    const error = errorAt(errorsOf(withMethod("  - probe: p\n    mode: sometimes\n")), "method[0].mode");
    expect(error).toMatchObject({ position: { line: 4, column: 11 }, found: '"sometimes"' });
    expect(error.expected).toContain("`on-chaos`");
  });

  it("a bad ref: unknown, later, or not a probe where a probe is needed", () => {
    const unknown = errorAt(errorsOf(withMethod("  - fault: f\n    name: hit\n  - ref: hti\n")), "method[1].ref");
    expect(unknown).toMatchObject({ position: { line: 5, column: 10 }, found: "`hti`" });
    expect(unknown.expected).toContain("(did you mean `hit`?)");
    const later = errorAt(errorsOf(withMethod("  - ref: hit\n  - fault: f\n    name: hit\n")), "method[0].ref");
    expect(later.found).toBe("`hit`, defined later at method[1]");
    const notProbe = errorAt(errorsOf(withMethod("  - fault: f\n    name: hit\n") + "stop-conditions:\n  - ref: hit\n"), "stop-conditions[0].ref");
    expect(notProbe.found).toBe("`hit`, which is not a probe");
  });

  it("inside a union, the form the value's shape fits", () => {
    const errors = errorsOf("title: t\nmethod: []\nruntime:\n  hypothesis: { strategy: sometimes, frequency: -1 }\n");
    expect(errors.map((e) => e.path)).toEqual(["runtime.hypothesis.strategy", "runtime.hypothesis.frequency"]);
    expect(errors[1]).toMatchObject({ position: { line: 4, column: 49 }, expected: "a number > 0", found: "-1" });
  });

  it("a fault where only probes may go", () => {
    const error = errorAt(errorsOf("title: t\nmethod: []\nstop-conditions:\n  - fault: f\n"), "stop-conditions[0]");
    expect(error.expected).toMatch(/; faults belong in `method`$/);
    expect(error.found).toBe("a `fault:` step");
  });

  it("a hypothesis activity without a tolerance", () => {
    const text = "title: t\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - type: probe\n      name: up\n      provider: { type: http, url: 'http://127.0.0.1:1/' }\nmethod: []\n";
    const error = errorAt(errorsOf(text), "steady-state-hypothesis.probes[0].tolerance");
    expect(error).toMatchObject({ position: { line: 5, column: 7 }, found: "nothing" });
  });

  it("an empty document and a document that is not a map", () => {
    expect(errorsOf("")).toEqual([{ file: "exp.yaml", position: { line: 1, column: 1 }, path: "(document)", expected: "a map with at least `title` and `method`", found: "an empty document" }]);
    expect(errorsOf("- a\n- b\n")[0]?.found).toBe('a list ["a","b"]');
  });

  it("reports every mistake of a file at once, in file order", () => {
    const file = `${FIXTURES}invalid/many-mistakes.yaml`;
    const errors = errorsOf(readFileSync(file, "utf8"), file);
    const lines = readFileSync(file, "utf8").split("\n");
    const marked = lines.flatMap((line, i) => (line.includes("# <-") ? [i + 1] : []));
    expect(errors.map((e) => e.position?.line)).toEqual(marked);
    expect(errors.map((e) => e.path)).toEqual([
      "stop_condition",
      "method[0].target.stream",
      "method[0].duration",
      "method[1].pause",
      "method[2].mode",
      "method[3].provider",
      "method[4].name",
      "method[5].ref",
      "runtime.interval",
    ]);
    for (const e of errors) expect(formatInputError(e)).toMatch(/^\/.*many-mistakes\.yaml:\d+:\d+: \S+: expected .+, found .+$/);
  });
});
