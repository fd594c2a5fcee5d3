/**
 * The composition root: builds what a run talks to. For the embedded sandbox it starts the
 * simulation and hands its dispatcher to the client factory (in-process, no sockets); for an
 * endpoint (`chaos sandbox serve`, LocalStack) and for AWS it builds ordinary SDK clients. Actions
 * and probes only ever see the result: clients, a clock, randomness and the traffic port.
 */
import { endpointOf, TARGET_FORMS } from "../aws/target-form.js";
import { connect } from "node:net";
import { basename } from "node:path";
import { AwsClients } from "../aws/clients.js";
import { silentLogger, type RunServices, type TrafficPort } from "../engine/ports.js";
import { RealClock, VirtualClock, type Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import type { TraceEntry } from "../sandbox/kernel.js";
import { defaultStackFile } from "./paths.js";
import { targetError, usage } from "./errors.js";
import { awsRegionOf, refuseOnEmbeddedSandbox, regionFlag } from "./region-flag.js";
import { bootStart, runOnToWall } from "./boot-clock.js";
import { count } from "./plural.js";
// The target clock, the HTTP load generator and its CloudWatch sink serve endpoint and aws targets
// only: imported when one is built, so that a run on the embedded sandbox does not load them.

export interface TargetOptions {
  /** "sandbox", "aws", or an endpoint URL. */
  target: string;
  region?: string;
  profile?: string;
  stack?: string;
  speed?: number;
  handlers?: string[];
  /** Modules subscribed to the stack's lifecycle-hook topics (--lifecycle-handler). */
  lifecycleHandlers?: string[];
  /** `service=url` pairs (--url): where the load generator drives each service on endpoint and aws targets. */
  urls?: string[];
  random: Random;
  cwd: string;
  /** Receives the sandbox's notable events, for the timeline. */
  onTrace?: (entry: TraceEntry) => void;
}

export interface BuiltTarget {
  kind: "sandbox" | "endpoint" | "aws";
  region: string;
  accountId: string;
  clock: Clock;
  clients: AwsClients;
  traffic: TrafficPort;
  /** For journals and the timeline: "sandbox (default.yaml)", "http://127.0.0.1:4566", "aws us-east-1". */
  description: string;
  /** For the journal, on endpoint targets: whose time the run keeps ("the served sandbox's clock at 20x", "real time ..."). */
  clockSource?: string;
  stack?: string;
  /**
   * Lets time run: a virtual clock stands still between the stack coming up and the run starting,
   * so that setup work (loading modules, planning) does not move the simulation on.
   */
  begin(): void;
  /** Connection facts `chaos recover` needs to reach the target again. */
  record: { kind: string; region: string; endpoint?: string; profile?: string };
  close(): Promise<void>;
}

/** What a run on `target` works with: the target's clock, clients and traffic, and the run's own fork of `random`. */
export function runServices(target: BuiltTarget, random: Random): RunServices {
  return { clock: target.clock, random: random.fork("run"), aws: target.clients, traffic: target.traffic, log: silentLogger, targetKind: target.kind, region: target.region };
}

/** An endpoint target as a URL, or a usage error saying what a valid target looks like. */
export function endpointUrl(target: string): URL {
  const url = endpointOf(target);
  if (url === undefined) throw usage(`--target: expected ${TARGET_FORMS}, found ${JSON.stringify(target)}`);
  return url;
}

/** How long to wait for an endpoint to accept a connection before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Whether anything listens at the endpoint, asked before the run starts: a refused connection
 * would otherwise surface mid-run as every probe failing ("no traffic"), which reads like a
 * finding about the target rather than a target that is not there.
 */
export async function checkReachable(url: URL, clock: Clock): Promise<void> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const shown = url.origin;
  const timeout = new AbortController();
  const socket = connect({ host, port });
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      }),
      clock.sleep(CONNECT_TIMEOUT_MS, timeout.signal).then(() => {
        throw Object.assign(new Error("timed out"), { code: "ETIMEDOUT" });
      }),
    ]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === "ECONNREFUSED") throw targetError(`nothing is listening on ${shown} — is \`chaos sandbox serve\` running?`);
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") throw targetError(`--target ${shown}: the host ${host} cannot be resolved (${code})`);
    if (code === "ETIMEDOUT") throw targetError(`--target ${shown}: no connection to ${host}:${port} within ${CONNECT_TIMEOUT_MS / 1000} s`);
    throw targetError(`--target ${shown}: cannot connect to ${host}:${port} (${code})`);
  } finally {
    timeout.abort();
    socket.destroy();
  }
}

/**
 * `--url service=url` values: each a service name once, with an http(s) URL. On an endpoint or AWS
 * the load generator sends that service's traffic there.
 */
export function parseServiceUrls(values: readonly string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const value of values) {
    const m = /^([A-Za-z0-9][\w.-]*)=(.+)$/.exec(value);
    let url: URL | undefined;
    try {
      url = m ? new URL(m[2]!) : undefined;
    } catch {
      url = undefined;
    }
    if (!m || !url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
      throw usage(`--url: expected SERVICE=URL with an http:// or https:// URL, such as web=https://staging.example.com/, found ${JSON.stringify(value)}`);
    }
    if (m[1]! in urls) throw usage(`--url: ${m[1]} is given twice`);
    urls[m[1]!] = url.href;
  }
  return urls;
}

export async function buildTarget(o: TargetOptions): Promise<BuiltTarget> {
  regionFlag(undefined, o.region);
  if (o.target === "sandbox") {
    if (o.urls !== undefined) throw usage("--url applies only to endpoint and aws targets: the embedded sandbox drives its services with its own simulated load");
    refuseOnEmbeddedSandbox(o.target, o);
    return buildSandbox(o);
  }
  if (o.target === "aws" || /^https?:/i.test(o.target)) {
    // These shape the embedded sandbox only; ignoring them would run something other than asked.
    const where = o.target === "aws" ? "AWS" : `the endpoint ${o.target}`;
    const time = o.target === "aws" ? "runs in real time" : "keeps its own time (a served sandbox: the --speed of `chaos sandbox serve`)";
    if (o.speed !== undefined) throw usage(`--speed applies only to --target sandbox: ${where} ${time}`);
    if (o.stack !== undefined) throw usage(`--stack applies only to --target sandbox: ${where} has whatever stack is deployed there`);
    if (o.handlers !== undefined) throw usage(`--handler applies only to --target sandbox: on ${where}, spot warnings reach the handlers that EventBridge rules route them to`);
    if (o.lifecycleHandlers !== undefined) throw usage(`--lifecycle-handler applies only to --target sandbox: on ${where}, lifecycle notifications reach the subscribers of the hook's SNS topic`);
  }
  // Checked before anything connects, so a bad --url costs nothing.
  const urls = parseServiceUrls(o.urls ?? []);
  if (/^https?:/i.test(o.target)) return buildEndpoint(o, endpointUrl(o.target), urls);
  if (o.target === "aws") return buildAws(o, urls);
  throw usage(`--target: expected ${TARGET_FORMS}, found ${JSON.stringify(o.target)}`);
}

async function buildSandbox(o: TargetOptions): Promise<BuiltTarget> {
  const { loadStack } = await import("../sandbox/stack/load.js");
  const { composeSandbox } = await import("./sandbox-compose.js");
  const stackFile = o.stack ?? defaultStackFile();
  const stack = loadStack(stackFile);
  // At --speed the stack still boots in virtual time, as `chaos sandbox serve` does (boot-clock.ts),
  // and the clock is paced to the speed asked once it is up and level with the wall clock.
  const wall = o.speed === undefined ? undefined : new RealClock();
  const clock = new VirtualClock(wall ? bootStart(wall) : undefined);
  const composed = await composeSandbox({ stack, clock, random: o.random, ...(o.handlers ? { handlers: o.handlers } : {}), ...(o.lifecycleHandlers ? { lifecycleHandlers: o.lifecycleHandlers } : {}) });
  const { sandbox } = composed;
  const unsubscribe = o.onTrace ? sandbox.kernel.trace.onRecord(o.onTrace) : () => {};
  sandbox.start();
  await sandbox.ready();
  if (wall && o.speed !== undefined) {
    await runOnToWall(clock, wall);
    clock.pace(o.speed);
  }
  const release = clock.hold();
  const region = sandbox.kernel.region;
  const clients = new AwsClients({ kind: "local", region, dispatch: sandbox.dispatcher.dispatch }, { clock, random: o.random.fork("clients") });
  return {
    kind: "sandbox",
    region,
    accountId: sandbox.kernel.accountId,
    clock,
    clients,
    traffic: sandbox.traffic,
    description: `sandbox (${basename(stackFile)})`,
    stack: stackFile,
    record: { kind: "sandbox", region },
    begin: release,
    async close() {
      release();
      unsubscribe();
      await clients.destroy();
      await composed.close();
      if (clock instanceof VirtualClock) clock.stop();
    },
  };
}

async function buildEndpoint(o: TargetOptions, url: URL, urls: Record<string, string>): Promise<BuiltTarget> {
  const wall = new RealClock();
  await checkReachable(url, wall);
  // A served sandbox publishes its time and speed; anything else runs in real time.
  const { TARGET_CLOCK_PATH, targetClock } = await import("../aws/target-clock.js");
  const timing = await targetClock(url, wall);
  const region = endpointRegion(o, timing.region);
  const clock = timing.clock;
  const clients = new AwsClients({ kind: "endpoint", region, endpoint: o.target }, { clock, random: o.random.fork("clients") });
  // A --url wins over the ALB port a served sandbox publishes for the same service.
  const traffic = await httpTraffic({ ...timing.albs, ...urls }, clock, clients, o.random);
  const account = await endpointAccount(clients);
  return {
    kind: "endpoint",
    region,
    accountId: account.accountId,
    clock,
    clients,
    traffic: traffic.port,
    description: `${o.target} (${timing.source === "target" ? `on its clock, ${timing.speed}x` : "real time"}${account.note ? `; ${account.note}` : ""})`,
    clockSource:
      timing.source === "target"
        ? `the served sandbox's clock at ${timing.speed}x (${TARGET_CLOCK_PATH}, round trip ${timing.roundTripMs!.toFixed(1)} ms)`
        : `real time: the endpoint publishes no clock at ${TARGET_CLOCK_PATH}`,
    record: { kind: "endpoint", region, endpoint: o.target },
    begin() {},
    async close() {
      await traffic.close();
      await clients.destroy();
    },
  };
}

/**
 * The region a run on an endpoint signs for: --region, else AWS_REGION, else the region a served
 * sandbox publishes, else us-east-1. A served sandbox serves one region and refuses calls signed for
 * another (as a regional AWS endpoint does), so a region that is not its own is refused here, before
 * the run, rather than as every call failing.
 */
export function endpointRegion(o: Pick<TargetOptions, "region" | "target">, served: string | undefined): string {
  const given = o.region !== undefined ? { region: o.region, from: "--region" } : process.env.AWS_REGION ? { region: process.env.AWS_REGION, from: "AWS_REGION" } : undefined;
  if (served === undefined) return given?.region ?? "us-east-1";
  if (given && given.region !== served) {
    throw targetError(
      `${given.from} ${given.region}: the sandbox served at ${o.target} serves ${served} (its stack's region), and refuses calls signed for another region as AWS does. ` +
        `Run with --region ${served}${given.from === "AWS_REGION" ? " (or unset AWS_REGION)" : ""}, or serve a stack whose region: is ${given.region}.`,
    );
  }
  return served;
}

/**
 * The account an endpoint stands for, asked of its STS as on AWS (a served sandbox and LocalStack
 * answer GetCallerIdentity). GAMEDAY_ACCOUNT_ID overrides it; an endpoint without STS gets the
 * account emulators commonly use, and the target's description says so.
 */
async function endpointAccount(clients: AwsClients): Promise<{ accountId: string; note?: string }> {
  if (process.env.GAMEDAY_ACCOUNT_ID) return { accountId: process.env.GAMEDAY_ACCOUNT_ID };
  const { GetCallerIdentityCommand } = await import("../aws/sdk/sts.js");
  try {
    const account = (await (await clients.sts()).send(new GetCallerIdentityCommand({}))).Account;
    if (account) return { accountId: account };
  } catch {
    // Said in the description below: the fallback is not silent.
  }
  return { accountId: "123456789012", note: "account 123456789012 assumed: the endpoint answers no STS GetCallerIdentity (GAMEDAY_ACCOUNT_ID chooses)" };
}

/**
 * The HTTP load generator over `urls`, publishing to the target's CloudWatch. close() stops it,
 * waits for its last metrics to be sent and says how many could not be.
 */
async function httpTraffic(urls: Record<string, string>, clock: Clock, clients: AwsClients, random: Random): Promise<{ port: TrafficPort; close(): Promise<void> }> {
  const [{ CloudWatchSink }, { HttpTraffic }] = await Promise.all([import("../aws/cloudwatch-sink.js"), import("../load/traffic-port.js")]);
  const sink = new CloudWatchSink(() => clients.cloudwatch());
  const port = new HttpTraffic({ urls, clock, sink, random: random.fork("traffic") });
  return {
    port,
    async close() {
      await port.close();
      await sink.flush();
      const { failed, calls, lastError } = sink.stats;
      if (failed > 0) process.stderr.write(`chaos: ${count(failed, "load generator metric datum", "load generator metric data")} could not be published to CloudWatch (PutMetricData, ${count(calls, "call")}; last error ${lastError})\n`);
    },
  };
}

async function buildAws(o: TargetOptions, urls: Record<string, string>): Promise<BuiltTarget> {
  const { checkAwsAllowed } = await import("./aws-guard.js");
  const region = awsRegionOf(o.region);
  if (!region) throw usage("--target aws needs --region (or AWS_REGION)");
  const clock = new RealClock();
  const clients = new AwsClients({ kind: "aws", region, ...(o.profile ? { profile: o.profile } : {}) }, { clock, random: o.random.fork("clients") });
  const accountId = await checkAwsAllowed({ cwd: o.cwd, region, clients, ...(o.profile ? { profile: o.profile } : {}) }).catch(async (err: unknown) => {
    await clients.destroy();
    throw err;
  });
  const traffic = await httpTraffic(urls, clock, clients, o.random);
  return {
    kind: "aws",
    region,
    accountId,
    clock,
    clients,
    traffic: traffic.port,
    description: `aws ${accountId} ${region}`,
    record: { kind: "aws", region, ...(o.profile ? { profile: o.profile } : {}) },
    begin() {},
    async close() {
      await traffic.close();
      await clients.destroy();
    },
  };
}
