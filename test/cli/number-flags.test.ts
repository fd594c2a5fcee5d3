import { describe, expect, it } from "vitest";
import { wholeNumberFlag } from "../../src/cli/number-flags.js";

describe("whole-number flags", () => {
  it("take digits within the range", () => {
    expect(wholeNumberFlag("--parallel", "4", { min: 1 })).toBe(4);
    expect(wholeNumberFlag("--port", "0", { min: 0, max: 65535 })).toBe(0);
  });

  it("refuse anything else, naming the flag and what was typed: nothing typed is found \"\", not 0", () => {
    expect(() => wholeNumberFlag("--parallel", "", { min: 1 })).toThrow('--parallel: expected a whole number of 1 or more, found ""');
    expect(() => wholeNumberFlag("--port", " ", { min: 0, max: 65535 })).toThrow('--port: expected a whole number from 0 to 65535, found " "');
    for (const text of ["2.0", "0x10", "1e3", "-1", "0"]) expect(() => wholeNumberFlag("--count", text, { min: 1, max: 1000 }), text).toThrow(`--count: expected a whole number from 1 to 1000, found ${JSON.stringify(text)}`);
    expect(() => wholeNumberFlag("--port", "70000", { min: 0, max: 65535, expected: "a port number" })).toThrow('--port: expected a port number, found "70000"');
  });
});
