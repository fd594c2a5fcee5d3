/**
 * `chaos sandbox serve` does not let a client hold a socket by sending nothing or half a request:
 * its AWS API port and its ALB ports close such a connection after the headers timeout
 * (src/sandbox/http-timeouts.ts), in real time whatever the --speed. Each connection here is a raw
 * TCP socket, as a stuck or hostile client would be. (Short timeouts, a half-sent body, and
 * answers that take long but are never cut off: test/sandbox/serve-timeouts.test.ts.)
 */
import { describe, expect, it, vi } from "vitest";
import { connect } from "node:net";
import { HTTP_TIMEOUTS } from "../../src/sandbox/http-timeouts.js";
import { freePort, servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();

/** Writes `bytes` on a new connection; resolves with what came back and when the server closed it. */
function stall(port: number, bytes: string): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let reply = "";
    const socket = connect(port, "127.0.0.1", () => void (bytes && socket.write(bytes)));
    socket.setEncoding("utf8").on("data", (d: string) => (reply += d));
    socket.on("error", () => {});
    socket.on("close", () => resolve({ reply, closedAfterMs: performance.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`port ${port} still open after ${HTTP_TIMEOUTS.headersMs * 3} ms; got ${JSON.stringify(reply)}`));
    }, HTTP_TIMEOUTS.headersMs * 3).unref();
  });
}

describe("chaos sandbox serve and a client that stalls", () => {
  it("the AWS API port and an ALB port close a connection with half a request line (408) or nothing sent, within the headers timeout", async () => {
    const albPort = await freePort();
    const served = await serve(["--speed", "20", "--alb-port", `web=${albPort}`]);
    await served.waitFor(/alb web listening on/);
    const [apiLine, apiNothing, albLine] = await Promise.all([stall(served.port, "POST / HT"), stall(served.port, ""), stall(albPort, "GET / HT")]);
    // Cut off on time: not before the timeout, and within Node's check interval of it (plus a busy machine's slack).
    const bound = HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkEveryMs + 3_000;
    for (const r of [apiLine, albLine]) expect(r.reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(apiNothing.reply).toBe("");
    for (const r of [apiLine, apiNothing, albLine]) {
      expect(r.closedAfterMs).toBeGreaterThanOrEqual(HTTP_TIMEOUTS.headersMs - 50);
      expect(r.closedAfterMs).toBeLessThan(bound);
    }
  });
});
