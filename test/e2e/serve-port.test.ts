import { afterEach, describe, expect, it, vi } from "vitest";
import { createServer, type Server } from "node:net";
import { scratch, start } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

let occupied: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (occupied ? occupied.close(r) : r(undefined)));
  occupied = undefined;
});

/** Something else listening on 127.0.0.1: returns its port. */
async function occupy(): Promise<number> {
  occupied = createServer();
  await new Promise<void>((r) => occupied!.listen(0, "127.0.0.1", r));
  return (occupied.address() as { port: number }).port;
}

describe("chaos sandbox serve on a port that is in use", () => {
  it("exits 2 by itself, naming the port and --port, without a stack trace", async () => {
    const port = await occupy();
    const s = start(["sandbox", "serve", "--port", String(port), "--seed", "1"], { cwd: scratch() });
    // Today it hangs after the error; a bounded wait turns a hang into a failure rather than a timeout.
    const timer = setTimeout(() => s.child.kill("SIGKILL"), 30_000);
    const r = await s.done;
    clearTimeout(timer);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is in use`);
    expect(r.stderr).toContain("--port");
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).not.toContain("serving on");
  });
});
