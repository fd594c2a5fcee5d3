import { describe, expect, it } from "vitest";
import { joinNegativeValues, restoreTypedValues, unknownOptionAsTyped, valueOptionNames } from "../../src/cli/argv.js";

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

describe("option values as typed", () => {
  const names = valueOptionNames([{ options: [{ rawName: "--parallel <n>" }, { rawName: "--account <id>" }, { rawName: "--var <key=value>" }, { rawName: "--max-crashes <n>" }, { rawName: "--dry" }] }]);

  it("put back what mri read as a number: an empty value, a leading zero, a number written otherwise", () => {
    const options: Record<string, unknown> = { parallel: 0, account: 12345678901, maxCrashes: 1000 };
    restoreTypedValues(options, ["gate", "s.yaml", "--parallel", "", "--account=012345678901", "--max-crashes", "1e3"], names);
    expect(options).toEqual({ parallel: "", account: "012345678901", maxCrashes: "1e3" });
  });

  it("a repeated option stays a list, each value as typed", () => {
    const options: Record<string, unknown> = { var: [7, "a=1", 0] };
    restoreTypedValues(options, ["run", "x", "--var", "007", "--var", "a=1", "--var", " "], names);
    expect(options.var).toEqual(["007", "a=1", " "]);
  });

  it("leave alone what mri gave no value, flags that take none, and whatever it did not read from these arguments", () => {
    const options: Record<string, unknown> = { parallel: true, dry: true, account: 5 };
    restoreTypedValues(options, ["gate", "--parallel", "--dry", "3", "--", "--account", "05"], names);
    expect(options).toEqual({ parallel: true, dry: true, account: 5 });
  });
});
