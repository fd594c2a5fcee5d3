/**
 * The served AWS API port's request timeouts (src/sandbox/http-timeouts.ts), in process with short
 * ones: a client that sends nothing, half a request line, or headers and half a body is cut off;
 * a request that arrived whole waits for its answer however long it takes, over HTTP/1 and HTTP/2.
 * (With `chaos sandbox serve`'s own timeouts, on its ALB ports too: test/e2e/serve-timeouts.test.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { connect as connectTcp } from "node:net";
import { connect as connectHttp2 } from "node:http2";
import { request } from "node:http";
import { serve, type Servable, type Served } from "../../src/sandbox/serve.js";
import type { SandboxOutcome } from "../../src/sandbox/protocol/types.js";
import type { HttpTimeouts } from "../../src/sandbox/http-timeouts.js";

const SHORT: HttpTimeouts = { headersMs: 300, requestMs: 600, keepAliveMs: 200, checkEveryMs: 50 };

/** A sandbox whose every call answers `{}` after `answerAfterMs` of real time. */
function slowSandbox(answerAfterMs: number): Servable {
  const answer: SandboxOutcome = { statusCode: 200, headers: { "content-type": "application/json" }, body: "{}" };
  return {
    dispatcher: { dispatch: () => ({ ...answer, later: new Promise<SandboxOutcome>((done) => setTimeout(() => done(answer), answerAfterMs)) }) },
    imds: () => ({ status: 404, body: "" }),
  };
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Opens a raw TCP connection, writes `bytes`, and resolves with what came back and how long until the server closed it. */
function rawClient(url: string, bytes: string): Promise<{ reply: string; closedAfterMs: number }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let reply = "";
    const socket = connectTcp(Number(port), "127.0.0.1", () => void (bytes && socket.write(bytes)));
    socket.setEncoding("utf8").on("data", (d: string) => (reply += d));
    socket.on("error", () => {});
    socket.on("close", () => resolve({ reply, closedAfterMs: performance.now() - started }));
    // The test's own bound: a server that never closes fails the assertion below, not the run.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 5 s; got ${JSON.stringify(reply)}`));
    }, 5_000).unref();
  });
}

describe("a served sandbox's request timeouts", () => {
  it("close a connection that sends nothing, or part of the HTTP/2 preface, after the headers timeout", async () => {
    served = await serve(slowSandbox(0), { port: 0, timeouts: SHORT });
    const [nothing, preface] = await Promise.all([rawClient(served.url, ""), rawClient(served.url, "PRI * HTTP/2.0\r\n")]);
    for (const r of [nothing, preface]) {
      expect(r.reply).toBe("");
      expect(r.closedAfterMs).toBeGreaterThanOrEqual(SHORT.headersMs - 20);
      expect(r.closedAfterMs).toBeLessThan(SHORT.headersMs + 1_000);
    }
  });

  it("answer half a request line with 408 and close after the headers timeout, and headers with half a body after the request timeout", async () => {
    served = await serve(slowSandbox(0), { port: 0, timeouts: SHORT });
    const [line, body] = await Promise.all([
      rawClient(served.url, "POST / HT"),
      rawClient(served.url, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"Str"),
    ]);
    expect(line.reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(line.closedAfterMs).toBeGreaterThanOrEqual(SHORT.headersMs - 20);
    expect(line.closedAfterMs).toBeLessThan(SHORT.requestMs);
    expect(body.reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(SHORT.requestMs - 20);
    expect(body.closedAfterMs).toBeLessThan(SHORT.requestMs + 1_000);
  });

  it("never cut off a request that arrived whole, however long its answer takes (HTTP/1 and HTTP/2)", async () => {
    const waitMs = SHORT.requestMs * 2;
    served = await serve(slowSandbox(waitMs), { port: 0, timeouts: SHORT });
    const http1 = new Promise<number>((resolve, reject) => {
      const req = request(served!.url, { method: "POST", agent: false, headers: { "content-type": "application/x-amz-json-1.1" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("error", reject);
      req.end("{}");
    });
    const session = connectHttp2(served.url);
    const http2 = new Promise<number>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1" });
      let status = 0;
      stream.on("response", (h) => (status = Number(h[":status"])));
      stream.on("error", reject);
      stream.resume();
      stream.on("end", () => resolve(status));
      stream.end("{}");
    });
    const started = performance.now();
    try {
      expect(await Promise.all([http1, http2])).toEqual([200, 200]);
    } finally {
      session.close();
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(waitMs - 20);
  });
});
