/**
 * `chaos sandbox serve` ends on Ctrl-C (SIGINT), a polite kill (SIGTERM) or a hangup (SIGHUP: the
 * terminal closed), as `chaos run` does. Once it serves, the user
 * is told the signal was heard, and then that the ports and the stack are closed: silence would
 * leave them wondering whether it is still shutting down or hung.
 */
import { describe, expect, it, vi } from "vitest";
import { request } from "node:http";
import { freePort, scratch, serveSandbox, start } from "./cli.js";

vi.setConfig({ testTimeout: 90_000 });

/** Whether anything still answers HTTP at `endpoint`. */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/_gameday/clock`, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

describe("chaos sandbox serve stopped by a signal while serving", () => {
  // SIGINT once the ALB listener is open too (a Ctrl-C at leisure); SIGTERM as soon as the AWS port
  // serves, while the listener may still be opening (a supervisor's kill right after the start).
  for (const [signal, after] of [
    ["SIGINT", /alb web listening on /],
    ["SIGTERM", /serving on /],
    ["SIGHUP", /alb web listening on /],
  ] as const) {
    it(`says it is stopping on ${signal}, then that it stopped, and exits 0 with the port closed`, async () => {
      const s = await serveSandbox(["--speed", "60", "--seed", "4"]);
      try {
        await s.waitFor(after);
        expect(await answers(s.endpoint)).toBe(true);
        s.child.kill(signal);
        await s.waitFor(new RegExp(`${signal}: stopping the sandbox…\\n`));
        const r = await s.done;
        expect(r.signal).toBeNull();
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        // Faster than real time: no note that its minutes are real.
        expect(r.stdout).not.toContain("at 1x");
        // The stop is the last thing said, after everything the serve said before it.
        expect(r.stdout).toMatch(new RegExp(`serving on [^\\n]*\\n[^]*\\n${signal}: stopping the sandbox…\\nstopped\\n$`));
        expect(await answers(s.endpoint)).toBe(false);
      } finally {
        s.child.kill("SIGKILL");
      }
    });
  }

  it("a signal right after the boot, before or while the port opens, is said the same way, and nothing is announced after it", async () => {
    const port = await freePort();
    const s = start(["sandbox", "serve", "--port", String(port), "--speed", "60", "--seed", "4"], { cwd: scratch() });
    try {
      await s.waitFor(/tasks running \(/);
      s.child.kill("SIGTERM");
      const r = await s.done;
      expect([r.code, r.signal, r.stderr]).toEqual([0, null, ""]);
      // No "serving on" or ALB port after the stop line: the user is not told of ports that are closing.
      expect(r.stdout).toMatch(/ tasks running \([^\n]*\n[^]*SIGTERM: stopping the sandbox…\nstopped\n$/);
      expect(await answers(`http://127.0.0.1:${port}`)).toBe(false);
    } finally {
      s.child.kill("SIGKILL");
    }
  });
});
