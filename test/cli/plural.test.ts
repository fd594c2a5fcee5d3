import { describe, expect, it } from "vitest";
import { count, noun } from "../../src/cli/plural.js";
import { firstLine } from "../../src/cli/gameday-dry.js";

describe("counts in words", () => {
  it("1 is singular; 0 and more are plural, with an irregular plural where given", () => {
    expect([0, 1, 2].map((n) => count(n, "check"))).toEqual(["0 checks", "1 check", "2 checks"]);
    expect([1, 3].map((n) => count(n, "crash", "crashes"))).toEqual(["1 crash", "3 crashes"]);
    expect([1, 2].map((n) => `${noun(n, "probe")} ${noun(n, "declares", "declare")}`)).toEqual(["probe declares", "probes declare"]);
  });
});

describe("an announcement's first line", () => {
  it("is cut with … when the message goes on, and left whole when it does not", () => {
    expect(firstLine("Game day starting now: a spot interruption, then ECS task\nkills, then Kinesis.\n")).toBe("Game day starting now: a spot interruption, then ECS task…");
    expect(firstLine("  One line only.  \n")).toBe("One line only.");
  });
});
