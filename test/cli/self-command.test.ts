import { describe, expect, it } from "vitest";
import { blobPathOf, selfCommand } from "../../src/cli/self-command.js";

describe("starting this CLI again as a child (gameday, schedule run-due, gate)", () => {
  it("finds the blob among node's options, in either spelling", () => {
    expect(blobPathOf(["--snapshot-blob", "/x/dist/snapshot/chaos.blob"])).toBe("/x/dist/snapshot/chaos.blob");
    expect(blobPathOf(["--max-old-space-size=100", "--snapshot-blob=/y/chaos.blob"])).toBe("/y/chaos.blob");
    expect(blobPathOf(["--expose-gc"])).toBeUndefined();
  });

  it("goes through the launcher of the checkout whose snapshot this process started from", () => {
    expect(selfCommand("/opt/gameday/dist/src/cli/main.js", ["--snapshot-blob", "/opt/gameday/dist/snapshot/chaos.blob"], "/usr/bin/node")).toEqual(["/opt/gameday/bin/chaos"]);
  });

  it("runs node with the same entry script when this process did not start from a snapshot", () => {
    expect(selfCommand("/opt/gameday/dist/src/cli/main.js", [], "/usr/bin/node")).toEqual(["/usr/bin/node", "/opt/gameday/dist/src/cli/main.js"]);
  });
});
