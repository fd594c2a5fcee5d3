import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fsProblem, unreadableFile } from "../../src/report/fs-problem.js";

/** The error reading `path` throws. */
function readError(path: string): unknown {
  try {
    readFileSync(path);
  } catch (err) {
    return err;
  }
  throw new Error(`${path} could be read`);
}

describe("a file that could not be read, as an input error's `found`", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-problem-"));

  it("says no such file, or a directory, in words", () => {
    expect(unreadableFile(readError(join(dir, "gone.yaml")))).toBe("no such file");
    expect(unreadableFile(readError(dir))).toBe("a directory");
  });

  it("puts any other errno in the system's words with the path, never the bare code", () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/x/a.yaml'"), { code: "EACCES", errno: -13, path: "/x/a.yaml" });
    expect(unreadableFile(denied)).toBe("a file that cannot be read: permission denied: /x/a.yaml");
    expect(unreadableFile(denied, "/shown.yaml")).toBe("a file that cannot be read: permission denied: /shown.yaml");
    expect(fsProblem(denied)).toBe("permission denied: /x/a.yaml");
  });

  it("gives an error without an errno code its message", () => {
    expect(unreadableFile(new Error("the file changed while it was read"))).toBe("the file changed while it was read");
    expect(unreadableFile("not read")).toBe("not read");
  });
});
