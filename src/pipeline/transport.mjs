// @ts-check
/**
 * The pino transport: `pino.transport({ target: "gameday/pipeline", options })`. It runs in pino's
 * worker thread and feeds every log line to a Shipper (shipper.ts) bound for Kinesis, with the disk
 * spool behind it.
 *
 * Plain ESM JavaScript with JSDoc on purpose: a .ts transport fails in pino's worker on Node 20
 * (tsx registers its loader on the main thread only), and this file is compiled along with the rest
 * (allowJs), so the same path works from src/ under tests and from dist/ when installed.
 *
 * This is the worker's composition root, the one place in src/pipeline that builds a real clock and
 * seeds randomness (from crypto.randomInt, via freshSeed); everything below receives them.
 *
 * Lines that are not one JSON object (pino writes only those, unless configured otherwise) are
 * shipped wrapped as {"unparsedLine": "<the line>"} rather than dropped or allowed to kill the worker.
 *
 * Past its memory budget the shipper puts records straight on disk; it never makes the worker
 * wait for Kinesis. Waiting would stop this worker reading pino's buffer, and pino then piles lines
 * up in an unbounded array on the main thread, all lost if the process dies.
 * Breaker changes, drops, dead letters and I/O errors are reported on stderr, one JSON line each.
 */
import "./quiet-sdk.js";
import { Writable } from "node:stream";
import { RealClock } from "../time/clock.js";
import { SeededRandom, freshSeed } from "../random/random.js";
import { Shipper } from "./shipper.js";
import { createShipperKinesisClient, kinesisPortFromClient } from "./kinesis-port.js";
import { parseTransportOptions } from "./transport-options.js";

const REPORT_EVERY_MS = 10_000;

/**
 * Reports shipper events on stderr. Drops can come once per record while the spool is full, so
 * they are summed and reported at most every 10 s; breaker changes, dead letters and I/O errors
 * are reported as they happen. Gave-up events are routine under throttling (metrics count them).
 * @param {import("../time/clock.js").Clock} clock
 */
function reporter(clock) {
  /** @type {Record<string, number>} */
  let dropped = {};
  let lastDropReport = -Infinity;
  /** @param {object} line */
  const write = (line) => process.stderr.write(`${JSON.stringify({ source: "gameday/pipeline", ...line })}\n`);
  return {
    /** @param {import("./options.js").ShipperEvent} event */
    report(event) {
      if (event.type === "gave-up") return;
      if (event.type !== "dropped") return write(event);
      dropped[event.reason] = (dropped[event.reason] ?? 0) + event.records;
      if (event.at - lastDropReport >= REPORT_EVERY_MS) this.flush();
    },
    flush() {
      if (Object.keys(dropped).length === 0) return;
      lastDropReport = clock.now();
      write({ type: "dropped", records: dropped, at: lastDropReport });
      dropped = {};
    },
  };
}

/**
 * What pino's worker writes into: chunks of text as thread-stream takes them off its shared buffer
 * (many lines at once, the last one possibly cut). Each chunk's whole lines go to the shipper in one
 * call, so what spills, or with durability "wal" everything, reaches the spool in one append and
 * one sync. The callback, and with it thread-stream's read index, moves on only after that: a line
 * the worker has taken off pino's buffer is in the shipper (or, with "wal", in the spool), never
 * in a buffer of its own in between.
 * @param {Shipper} shipper
 * @param {() => Promise<void>} close
 */
function destination(shipper, close) {
  let partial = "";
  /** @param {string} text */
  const take = (text) => {
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    const whole = lines.filter((line) => line.length > 0);
    if (whole.length > 0) shipper.writeLines(whole);
  };
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, callback) {
      try {
        take(partial + (typeof chunk === "string" ? chunk : chunk.toString("utf8")));
        callback();
      } catch (error) {
        callback(/** @type {Error} */ (error));
      }
    },
    final(callback) {
      if (partial.length > 0) take(`${partial}\n`);
      close().then(() => callback(), callback);
    },
  });
  // thread-stream calls this for logger.flush(cb): resolved once every line taken so far has left
  // memory (acked, or on disk). With "wal" that is already so.
  return Object.assign(stream, { flush: () => shipper.flush() });
}

/**
 * @param {unknown} rawOptions what pino.transport() was given as `options`
 */
export default async function gamedayPipeline(rawOptions) {
  const options = parseTransportOptions(rawOptions);
  const client = createShipperKinesisClient({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.shipper.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.shipper.requestTimeoutMs } : {}),
    ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
  });
  const clock = new RealClock();
  const events = reporter(clock);
  const shipper = new Shipper({
    ...options.shipper,
    clock,
    random: new SeededRandom(freshSeed()),
    kinesis: kinesisPortFromClient(client, options.streamName),
    onEvent: (event) => events.report(event),
  });
  // pino waits at most 10 s at exit for this: close() resolves well within that, with everything
  // not acked on disk.
  return destination(shipper, async () => {
    try {
      await shipper.close();
    } finally {
      events.flush();
      client.destroy();
    }
  });
}
