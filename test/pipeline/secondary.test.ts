import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { VirtualClock } from "../../src/time/clock.js";
import { httpSecondary } from "../../src/pipeline/secondary.js";
import { FakeKinesis, refusedError } from "./helpers/fake-kinesis.js";
import { makeShipper, range, storedIds } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** A Fluent Bit-like HTTP input on 127.0.0.1 that takes NDJSON. */
let server: http.Server;
let url = "";
let status = 200;
const lines: string[] = [];
const contentTypes: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      contentTypes.push(req.headers["content-type"] ?? "");
      if (status === 200) lines.push(...Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("secondary sink", () => {
  it("takes batches as NDJSON while the breaker is open; when it fails too, records go to the spool", async () => {
    status = 200;
    lines.length = 0;
    const clock = new VirtualClock();
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "throw", error: refusedError });
    const { shipper } = makeShipper(dirs.make(), { secondary: { url, retryAfterMs: 60_000 }, breaker: { consecutiveFailures: 2, openMs: 600_000 } }, { clock, fake });
    for (const i of range(10)) shipper.write({ i });
    await shipper.flush();
    expect(shipper.metrics().breaker).toBe("open");
    for (const i of range(20, 10)) shipper.write({ i });
    await shipper.flush();
    const viaHttp = lines.map((l) => (JSON.parse(l) as { i: number }).i).sort((a, b) => a - b);
    const m = shipper.metrics();
    // The first batch was stopped when the breaker opened: it went to the secondary as well.
    expect(viaHttp).toEqual(range(30));
    expect(m).toMatchObject({ deliveredSecondary: 30, spooled: 0, delivered: 0 });
    expect(contentTypes.every((c) => c === "application/x-ndjson")).toBe(true);

    status = 503;
    for (const i of range(5, 100)) shipper.write({ i });
    await shipper.flush();
    expect(shipper.metrics().spooled).toBe(m.spooled + 5);
    // Within retryAfterMs the secondary is not tried again: straight to the spool.
    const posts = contentTypes.length;
    for (const i of range(5, 200)) shipper.write({ i });
    await shipper.flush();
    expect(contentTypes.length).toBe(posts);
    expect(shipper.metrics().spooled).toBe(m.spooled + 10);
    await shipper.close();
  });

  it("is never used while Kinesis is healthy", async () => {
    lines.length = 0;
    const clock = new VirtualClock();
    const { shipper, fake } = makeShipper(dirs.make(), { secondary: { url } }, { clock });
    for (const i of range(10)) shipper.write({ i });
    await shipper.flush();
    expect(storedIds(fake)).toEqual(range(10));
    expect(lines).toEqual([]);
    await shipper.close();
  });

  it("refuses a URL that is not http(s), saying what it found", () => {
    expect(() => httpSecondary("ftp://example.test/x")).toThrow(/expected an http\(s\) URL, found protocol "ftp:"/);
    expect(() => httpSecondary("not a url")).toThrow(/found "not a url"/);
  });
});
