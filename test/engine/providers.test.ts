import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { runHttp } from "../../src/engine/providers/http.js";
import { runProcess } from "../../src/engine/providers/process.js";
import { ActivityFailure } from "../../src/engine/providers/failure.js";
import { RealClock, VirtualClock } from "../../src/time/clock.js";
import type { HttpProvider, ProcessProvider } from "../../src/experiment/model.js";

let server: http.Server;
let base = "";
const hits: { method: string; url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", url: req.url ?? "", body, headers: req.headers });
      if (req.url?.startsWith("/slow")) return; // never answers
      if (req.url?.startsWith("/boom")) {
        res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const httpProvider = (p: Partial<HttpProvider>): HttpProvider => ({ type: "http", url: `${base}/`, method: "GET", headers: {}, verifyTls: true, maxRetries: 0, ...p });

describe("the Chaos Toolkit http provider", () => {
  it("returns status, headers and a parsed JSON body; GET arguments go to the query string", async () => {
    const out = await runHttp(httpProvider({ url: `${base}/health`, arguments: { verbose: "1" } }), new RealClock(), {});
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true, path: "/health?verbose=1" });
    expect(out.headers["content-type"]).toBe("application/json");
  });

  it("sends a JSON body when the content type says JSON", async () => {
    await runHttp(httpProvider({ url: `${base}/echo`, method: "POST", headers: { "Content-Type": "application/json" }, arguments: { a: 1 } }), new RealClock(), {});
    expect(hits.at(-1)).toMatchObject({ method: "POST", body: '{"a":1}' });
  });

  it("does not fail on a 5xx answer: the tolerance judges it", async () => {
    const out = await runHttp(httpProvider({ url: `${base}/boom` }), new RealClock(), {});
    expect(out).toMatchObject({ status: 503, body: "unavailable" });
  });

  it("fails when nothing listens, after max_retries further tries", async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const err = await runHttp(httpProvider({ url: `http://127.0.0.1:${port}/`, maxRetries: 2 }), new RealClock(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityFailure);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("fails when the answer does not come within the read timeout", async () => {
    const err = await runHttp(httpProvider({ url: `${base}/slow`, timeout: { connect: 1_000, read: 200 } }), new RealClock(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityFailure);
    expect((err as Error).message).toMatch(/timed out|no response/);
  });

  it("holds virtual time while the request is in flight", async () => {
    const clock = new VirtualClock();
    let fired = false;
    clock.setTimer(1, () => (fired = true));
    await runHttp(httpProvider({ url: `${base}/health` }), clock, {});
    // The timer could not fire during the request; it fires once the hold is released.
    const firedDuring = fired;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(firedDuring).toBe(false);
    expect(fired).toBe(true);
  });
});

const proc = (p: Partial<ProcessProvider>): ProcessProvider => ({ type: "process", path: process.execPath, arguments: [], ...p });

describe("the Chaos Toolkit process provider", () => {
  it("returns the exit status and output; a non-zero exit is not a failure", async () => {
    const out = await runProcess(proc({ arguments: ["-e", "console.log('out'); console.error('err'); process.exit(3)"] }), new RealClock(), {});
    expect(out).toEqual({ status: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("runs a string of arguments through the shell", async () => {
    const out = await runProcess({ type: "process", path: "echo", arguments: "one two | tr a-z A-Z" }, new RealClock(), {});
    expect(out.stdout).toBe("ONE TWO\n");
  });

  it("fails with a clear message when the program does not exist", async () => {
    const err = await runProcess({ type: "process", path: "/no/such/program", arguments: [] }, new RealClock(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityFailure);
    expect((err as Error).message).toMatch(/cannot run \/no\/such\/program/);
  });

  it("kills a program that runs past its timeout", async () => {
    const err = await runProcess(proc({ arguments: ["-e", "setTimeout(() => {}, 10000)"], timeout: 200 }), new RealClock(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityFailure);
    expect((err as Error).message).toMatch(/ran past its timeout of 200 ms/);
  });
});
