import { describe, expect, it } from "vitest";
import { joinNegativeValues, unknownOptionAsTyped, valueOptionNames } from "../../src/cli/argv.js";

const commands = [{ options: [{ rawName: "--seed <n>" }, { rawName: "--speed <n>" }, { rawName: "--dry" }, { rawName: "-h, --help" }, { rawName: "--journal-path <file>" }] }];

describe("negative numbers after options", () => {
  it("become the value of an option that takes one", () => {
    const names = valueOptionNames(commands);
    expect(joinNegativeValues(["run", "x", "--seed", "-1", "--speed", "-.5"], names)).toEqual(["run", "x", "--seed=-1", "--speed=-.5"]);
  });

  it("stay arguments after a flag that takes none, and after --", () => {
    const names = valueOptionNames(commands);
    expect(joinNegativeValues(["run", "x", "--dry", "-1"], names)).toEqual(["run", "x", "--dry", "-1"]);
    expect(joinNegativeValues(["run", "--", "--seed", "-1"], names)).toEqual(["run", "--", "--seed", "-1"]);
  });

  it("leave other values alone", () => {
    expect(joinNegativeValues(["--seed", "7", "--journal-path", "-x.json"], valueOptionNames(commands))).toEqual(["--seed", "7", "--journal-path", "-x.json"]);
  });
});

describe("unknown options", () => {
  it("are named as typed, with = values too", () => {
    expect(unknownOptionAsTyped("Unknown option `--bogusFlag`", ["run", "x", "--bogus-flag=3"])).toBe("Unknown option `--bogus-flag`");
  });

  it("other messages pass unchanged", () => {
    expect(unknownOptionAsTyped("Unknown option `-x`", ["-x"])).toBe("Unknown option `-x`");
    expect(unknownOptionAsTyped("missing required args for command `run <experiment>`", [])).toBe("missing required args for command `run <experiment>`");
  });
});
