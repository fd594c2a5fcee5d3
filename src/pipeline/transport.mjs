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
 * Breaker changes, drops, dead letters and I/O errors are reported on stderr, one JSON line each.
 */
import build from "pino-abstract-transport";
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
  let closing = false;

  return build(
    async (source) => {
      for await (const line of source) {
        if (closing) break;
        if (typeof line !== "string" || line.length === 0) continue;
        // Past its memory budget the shipper puts records straight on disk (write() returns false
        // to say so). Waiting here for it to drain would stop this worker reading pino's ring
        // buffer: pino then piles lines up in an unbounded array on the main thread, and at exit
        // gives up after 10 s with every line still in it. Keep reading; the disk takes the load.
        try {
          shipper.write(line);
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
          shipper.write({ unparsedLine: line });
        }
      }
    },
    {
      parse: "lines",
      // Lines go through as text: the shipper splices the record id in, no need to parse here.
      parseLine: (line) => line,
      // pino flushes at exit and waits at most 10 s for this: close() resolves well within that,
      // with everything not acked on disk.
      async close() {
        closing = true;
        try {
          await shipper.close();
        } finally {
          events.flush();
          client.destroy();
        }
      },
    },
  );
}
