import { describe, expect, it } from "vitest";
import { cliArgv } from "../../src/cli/snapshot-main.js";

describe("the startup snapshot's main", () => {
  it("gives the commands the argv of `node main.js ...`: main.js of the blob's dist, then every argument as typed", () => {
    // Node gives a snapshot's main [node, ...arguments]; gameday and schedule start process.argv[1] again.
    expect(cliArgv(["/usr/bin/node", "run", "spot-interrupt", "--seed", "7"], "/opt/gameday/dist")).toEqual(["/usr/bin/node", "/opt/gameday/dist/src/cli/main.js", "run", "spot-interrupt", "--seed", "7"]);
    expect(cliArgv(["/usr/bin/node"], "/d")).toEqual(["/usr/bin/node", "/d/src/cli/main.js"]);
  });
});
