/**
 * The SDK wrappers (src/aws/sdk/<service>.ts) load their client package when one of its commands
 * or clients is first built, not when the wrapper is imported (src/aws/sdk/load.ts, lazySdk):
 * `chaos validate` and `chaos describe` load no client, `chaos run` only the ones it uses. What the
 * stand-ins hand out must be the SDK's own objects.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lazySdk } from "../../src/aws/sdk/load.js";

class RealCommand {
  static kind = "command";
  constructor(readonly input: { n: number }) {}
  twice(): number {
    return 2 * this.input.n;
  }
}
const fakePackage = { RealCommand, paginate: (start: number) => [start, start + 1], notAClass: 42 };
type Fake = typeof fakePackage;

function counted(): { loads: number; load: () => Fake } {
  const state = { loads: 0, load: () => (state.loads++, fakePackage) };
  return state;
}

describe("lazySdk", () => {
  it("loads the package only when an export is first used, and once", () => {
    const c = counted();
    const { RealCommand: Command, paginate } = lazySdk<Fake>("fake-sdk", c.load);
    expect(c.loads).toBe(0);
    const command = new Command({ n: 3 });
    expect(c.loads).toBe(1);
    expect(paginate(5)).toEqual([5, 6]);
    new Command({ n: 4 });
    expect(c.loads).toBe(1);
    expect(command.twice()).toBe(6);
  });

  it("builds the package's own instances, so instanceof and the prototype are the real class's", () => {
    const { RealCommand: Command } = lazySdk<Fake>("fake-sdk", counted().load);
    const command = new Command({ n: 1 });
    expect(command).toBeInstanceOf(RealCommand);
    expect(command).toBeInstanceOf(Command);
    expect(command.constructor).toBe(RealCommand);
    expect(Command.prototype).toBe(RealCommand.prototype);
    expect(Command.kind).toBe("command");
  });

  it("lets a class extend a stand-in", () => {
    const { RealCommand: Command } = lazySdk<Fake>("fake-sdk", counted().load);
    class Tripled extends Command {
      thrice(): number {
        return 3 * this.input.n;
      }
    }
    const t = new Tripled({ n: 2 });
    expect([t.twice(), t.thrice()]).toEqual([4, 6]);
    expect(t).toBeInstanceOf(RealCommand);
  });

  it("says which package lacks an export when a wrapper names one it does not have", () => {
    const lazy = lazySdk<Record<string, new () => unknown>>("fake-sdk", counted().load);
    const { NoSuchCommand, notAClass } = lazy;
    expect(() => new NoSuchCommand!()).toThrow("fake-sdk has no class or function named NoSuchCommand");
    expect(() => new notAClass!()).toThrow("fake-sdk has no class or function named notAClass");
  });
});

describe("the SDK wrappers", () => {
  it("load no client package when imported; a command or client loads its own package only", () => {
    const script = fileURLToPath(new URL("./fixtures/sdk-wrappers-load.ts", import.meta.url));
    const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)), encoding: "utf8" }));
    expect(out.wrappers).toBeGreaterThanOrEqual(13);
    expect(out.afterImports).toEqual([]);
    expect(out.afterCommand).toEqual(["client-ecs"]);
    expect(out.afterClient).toEqual(["client-ec2", "client-ecs"]);
    expect(out.input).toEqual({ cluster: "web" });
  });
});
