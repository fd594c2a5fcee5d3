/**
 * One clock per target. A served sandbox (`chaos sandbox serve --speed N`) runs N times faster than
 * the wall clock and publishes its time at GET /_gameday/clock; a run against it must measure in
 * that time, or a 2-minute notice reads as 6 seconds. Any other endpoint (LocalStack, AWS) runs in
 * real time. The answer also names the served ALB listener URLs, which the load generator drives.
 */
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { ScaledClock, type Clock } from "../time/clock.js";

/** The served sandbox's clock path; the same constant as src/sandbox/serve.ts (aws/ does not import sandbox/). */
export const TARGET_CLOCK_PATH = "/_gameday/clock";

export interface TargetClock {
  clock: Clock;
  /** "target" when the endpoint published its time, "real" otherwise. */
  source: "target" | "real";
  speed: number;
  /** Load-balanced services' URLs the target published, by service name. */
  albs: Record<string, string>;
  /** The round trip of the clock request, wall ms (the start was corrected by half of it). */
  roundTripMs?: number;
  /** The region a served sandbox serves (its stack's), when it says; it refuses calls signed for another. */
  region?: string;
}

/** How long to wait for the clock's answer before taking the endpoint for one that has none. */
const CLOCK_TIMEOUT_MS = 3_000;

/**
 * The endpoint's clock: a ScaledClock at its speed, starting at the time it published plus half the
 * round trip (the answer was true about midway), or real time when it publishes none. `wall` times
 * the round trip and bounds the wait.
 */
export async function targetClock(endpoint: URL, wall: Clock): Promise<TargetClock> {
  const sentAt = wall.now();
  const body = await getText(new URL(TARGET_CLOCK_PATH, endpoint), wall);
  const receivedAt = wall.now();
  const published = body === undefined ? undefined : parseClock(body);
  if (!published) return { clock: wall, source: "real", speed: 1, albs: {} };
  const roundTripMs = receivedAt - sentAt;
  return {
    clock: new ScaledClock(published.speed, published.now + (roundTripMs / 2) * published.speed),
    source: "target",
    speed: published.speed,
    albs: published.albs,
    roundTripMs,
    ...(published.region !== undefined ? { region: published.region } : {}),
  };
}

/** A published clock, or undefined for anything else (a 404 page, another emulator's JSON). */
export function parseClock(text: string): { now: number; speed: number; albs: Record<string, string>; region?: string } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const { now, speed, albs, region } = doc as Record<string, unknown>;
  if (typeof now !== "number" || !Number.isFinite(now) || typeof speed !== "number" || !(speed > 0) || !Number.isFinite(speed)) return undefined;
  const urls: Record<string, string> = {};
  if (typeof albs === "object" && albs !== null) for (const [k, v] of Object.entries(albs)) if (typeof v === "string") urls[k] = v;
  return { now, speed, albs: urls, ...(typeof region === "string" && region !== "" ? { region } : {}) };
}

/** The body of a 200 answer to GET `url`, or undefined for any other answer, an error or no answer in time. */
function getText(url: URL, wall: Clock): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (text: string | undefined): void => {
      if (settled) return;
      settled = true;
      cancel();
      req.destroy();
      resolve(text);
    };
    const req = (url.protocol === "https:" ? httpsRequest : request)(url, { method: "GET", headers: { accept: "application/json" } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return done(undefined);
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
      res.on("error", () => done(undefined));
    });
    const cancel = wall.setTimer(CLOCK_TIMEOUT_MS, () => done(undefined));
    req.on("error", () => done(undefined));
    req.end();
  });
}
