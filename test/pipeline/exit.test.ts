import { describe, expect, it, onTestFinished } from "vitest";
import { installExitHandlers } from "../../src/pipeline/exit.js";
import { ManualClock, settle } from "./helpers/manual-clock.js";

/** A logger whose flush completes when the test says so. */
function fakeLogger() {
  const pending: (() => void)[] = [];
  return { flushes: pending, flush: (cb?: () => void) => void pending.push(() => cb?.()) };
}

function install(logger: ReturnType<typeof fakeLogger>, deadlineMs = 5_000) {
  const clock = new ManualClock();
  const exits: number[] = [];
  const uninstall = installExitHandlers(logger, { clock, deadlineMs, exit: (code) => void exits.push(code) });
  onTestFinished(uninstall);
  return { clock, exits };
}

describe("installExitHandlers", () => {
  it("on SIGTERM flushes the logger first, then exits 143", async () => {
    const logger = fakeLogger();
    const { exits } = install(logger);
    process.emit("SIGTERM", "SIGTERM");
    await settle();
    expect(logger.flushes).toHaveLength(1);
    expect(exits).toEqual([]);
    logger.flushes[0]!();
    await settle();
    expect(exits).toEqual([143]);
  });

  it("on SIGINT exits 130 after the deadline when the flush does not finish", async () => {
    const logger = fakeLogger();
    const { clock, exits } = install(logger, 2_000);
    process.emit("SIGINT", "SIGINT");
    await clock.advance(1_999);
    expect(exits).toEqual([]);
    await clock.advance(1);
    expect(exits).toEqual([130]);
  });

  it("a second signal exits at once", async () => {
    const logger = fakeLogger();
    const { exits } = install(logger);
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGTERM", "SIGTERM");
    await settle();
    expect(exits).toEqual([143]);
  });

  it("refuses something that is not a logger, saying what it expected", () => {
    expect(() => installExitHandlers({} as never)).toThrow(/expected a pino logger/);
  });
});
