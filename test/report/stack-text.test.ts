import { describe, expect, it } from "vitest";
import { stackText } from "../../src/report/run-report.js";

describe("the stack a report shows", () => {
  it("is a path from the directory the report is made in when the stack is inside it, else the absolute path", () => {
    const t = { stack: "../fixtures/stacks/capacity-puma.yaml", stackPath: "/home/me/gameday/fixtures/stacks/capacity-puma.yaml" };
    expect(stackText(t, "/home/me/gameday")).toBe("fixtures/stacks/capacity-puma.yaml");
    expect(stackText(t, "/home/me/gameday/experiments")).toBe("/home/me/gameday/fixtures/stacks/capacity-puma.yaml");
    expect(stackText(t, "/elsewhere")).toBe("/home/me/gameday/fixtures/stacks/capacity-puma.yaml");
  });

  it("is 'default' for the default stack, and as recorded in a journal of an older version (no stackPath)", () => {
    expect(stackText({ stack: "default", stackPath: "/opt/gameday/fixtures/stacks/default.yaml" }, "/home/me")).toBe("default");
    expect(stackText({ stack: "../stacks/old.yaml" }, "/home/me")).toBe("../stacks/old.yaml");
  });
});
