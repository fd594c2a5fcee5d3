import { describe, expect, it } from "vitest";
import { blobPathOf, cliArgv } from "../../src/cli/snapshot-main.js";

describe("the startup snapshot's main", () => {
  it("finds the blob among node's options, in either spelling", () => {
    expect(blobPathOf(["--snapshot-blob", "/x/dist/snapshot/chaos.blob"])).toBe("/x/dist/snapshot/chaos.blob");
    expect(blobPathOf(["--max-old-space-size=100", "--snapshot-blob=/y/chaos.blob"])).toBe("/y/chaos.blob");
    expect(blobPathOf(["--expose-gc"])).toBeUndefined();
  });

  it("gives the commands the argv of `node main.js ...`: main.js of the blob's dist, then every argument as typed", () => {
    // Node gives a snapshot's main [node, ...arguments]; gameday and schedule start process.argv[1] again.
    expect(cliArgv(["/usr/bin/node", "run", "spot-interrupt", "--seed", "7"], "/opt/gameday/dist")).toEqual(["/usr/bin/node", "/opt/gameday/dist/src/cli/main.js", "run", "spot-interrupt", "--seed", "7"]);
    expect(cliArgv(["/usr/bin/node"], "/d")).toEqual(["/usr/bin/node", "/d/src/cli/main.js"]);
  });
});
