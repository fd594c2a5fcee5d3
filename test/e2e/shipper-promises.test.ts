/**
 * The log shipper's promises, checked from outside: numbered lines logged through gameday/pipeline
 * by a child process (test/fixtures/numbered-logger.mjs) into a served sandbox's Kinesis, then the
 * stream and the spool counted. Rates and counts are modest (2 shared cores); where timing matters
 * the assertions are bounds, not exact counts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readdirSync } from "node:fs";
import { scratch, type Running } from "./cli.js";
import { duplicates, missing, numbersInSpool, numbersInStream, runLogger, serveStreams, stopServer, transportTo } from "./shipper-harness.js";

vi.setConfig({ testTimeout: 120_000 });

let endpoint: string;
let server: Running;
let streams = 0;
/** A stream of its own for each test, so that counts never mix. */
const nextStream = () => `numbered-${++streams}`;
beforeAll(async () => {
  ({ endpoint, server } = await serveStreams(8));
});
afterAll(() => stopServer(server));

/** pino's shared buffer between the app thread and the transport worker (thread-stream's default; pino.transport cannot change it). */
const PINO_BUFFER_BYTES = 4 * 1024 * 1024;
/** Padding that makes each line over 1,000 bytes, so that pino's buffer holds at most this many lines. */
const PAD = 1_000;
const BUFFER_LINES = Math.ceil(PINO_BUFFER_BYTES / PAD);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("gameday/pipeline from outside, against a served sandbox", () => {
  it("the worker never prints the AWS SDK's Node version warning, even without the variable that silences it", async () => {
    const stream = nextStream();
    const log = runLogger(
      { transport: transportTo(endpoint, stream, scratch()), count: 50, then: "flush" },
      // vitest.config.ts and .ci/run set it for everything: a user's app does not.
      { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined },
    );
    await log.waitFor(/flushed 50/);
    log.child.kill("SIGTERM");
    const r = await log.done;
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|will require node/);
    expect(missing(50, await numbersInStream(endpoint, stream))).toBe(0);
  });

  it.each([
    { rate: 1_000, ms: 2_000 },
    { rate: 10_000, ms: 1_000 },
  ])("with installExitHandlers, SIGTERM at $rate lines/s exits 143 having shipped or spooled every line logged", async ({ rate, ms }) => {
    const stream = nextStream();
    const spool = scratch();
    const log = runLogger({ transport: transportTo(endpoint, stream, spool), count: 10_000_000, rate, exitHandlers: true });
    await log.waitFor(/ready/);
    await sleep(ms);
    log.child.kill("SIGTERM");
    const r = await log.done;
    expect(r.code).toBe(143);
    const logged = Number(/exited after (\d+)/.exec(r.stdout)?.[1]);
    expect(logged).toBeGreaterThan(0);
    const lost = missing(logged, await numbersInStream(endpoint, stream), numbersInSpool(spool));
    console.log(`SIGTERM at ${rate} lines/s with the exit handlers: ${lost} of ${logged} lost`);
    expect(lost).toBe(0);
  });

  it('durability "wal": SIGKILL after logger.flush() (every line taken by the worker) loses nothing, with a memory budget of 100', async () => {
    const stream = nextStream();
    const spool = scratch();
    const count = 20_000;
    const log = runLogger({ transport: transportTo(endpoint, stream, spool, { durability: "wal", memory: { maxRecords: 100 } }), count, then: "flush" });
    await log.waitFor(/flushed \d+/);
    log.child.kill("SIGKILL");
    await log.done;
    expect(missing(count, await numbersInStream(endpoint, stream), numbersInSpool(spool))).toBe(0);
  });

  it.each(["memory", "wal"] as const)(
    'durability "%s", pino with sync: true: SIGKILL the moment a fast producer is done loses at most pino\'s buffer plus the memory budget (wal: the buffer alone)',
    async (durability) => {
      const stream = nextStream();
      const spool = scratch();
      const count = 15_000;
      const maxRecords = 100;
      // "memory" is the default: left unset, as most users will.
      const options = { memory: { maxRecords }, ...(durability === "wal" ? { durability } : {}) };
      const log = runLogger({ transport: transportTo(endpoint, stream, spool, options), count, pad: PAD, sync: true });
      await log.waitFor(/produced \d+/);
      log.child.kill("SIGKILL");
      await log.done;
      const lost = missing(count, await numbersInStream(endpoint, stream), numbersInSpool(spool));
      console.log(`SIGKILL, ${durability}, sync pino, ${count} lines of ${PAD}+ bytes as fast as possible: ${lost} lost (bound ${BUFFER_LINES} + ${durability === "wal" ? 0 : maxRecords})`);
      expect(lost).toBeLessThanOrEqual(BUFFER_LINES + (durability === "wal" ? 0 : maxRecords));
    },
  );

  it("a restart after a crash partway through replaying the spool resumes from the checkpoint instead of resending the segment", async () => {
    const stream = nextStream();
    const spool = scratch();
    const count = 8_000;
    const replay = { ratePerSec: 1_000, startJitterMs: 0 };
    // 1. Kinesis unreachable and a memory budget of one record: nearly every line spills to disk.
    const fill = runLogger({ transport: transportTo("http://127.0.0.1:9", stream, spool, { memory: { maxRecords: 1 } }), count, then: "flush" });
    await fill.waitFor(/flushed \d+/);
    fill.child.kill("SIGKILL");
    await fill.done;
    const spooled = [...new Set(numbersInSpool(spool))];
    expect(spooled.length).toBeGreaterThan(count - 10);
    // 2. Replay starts; the process dies partway through.
    const restart = () => runLogger({ transport: transportTo(endpoint, stream, spool, { replay }), count: 0 });
    const partway = restart();
    let before = 0;
    for (let i = 0; i < 240 && before < 4_000 && partway.child.exitCode === null; i++) {
      await sleep(250);
      before = (await numbersInStream(endpoint, stream)).length;
    }
    expect(before).toBeGreaterThanOrEqual(4_000);
    partway.child.kill("SIGKILL");
    await partway.done;
    // 3. The next start finishes the replay.
    const finish = restart();
    for (let i = 0; i < 240 && readdirSync(spool).some((f) => f.endsWith(".spool")); i++) await sleep(250);
    finish.child.kill("SIGTERM");
    await finish.done;
    const found = await numbersInStream(endpoint, stream);
    const dups = duplicates(found);
    console.log(`replay cut at ${before} of ${spooled.length} delivered, then restarted: ${dups} duplicates`);
    const delivered = new Set(found);
    expect(spooled.filter((n) => !delivered.has(n))).toEqual([]);
    // What the checkpoint (every second by default) had not seen: about a second of replay at
    // 1,000/s, plus a batch on the wire. Without it, every record of the segment that was
    // delivered (4,000 or more) comes again.
    expect(dups).toBeLessThan(2_500);
  });
});
