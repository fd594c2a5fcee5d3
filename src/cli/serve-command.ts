/**
 * `chaos sandbox serve`: the sandbox's AWS APIs over HTTP on 127.0.0.1, in scaled real time, so that
 * another process (a drain Lambda, a log shipper, the AWS CLI) can use it through AWS_ENDPOINT_URL.
 *
 * The stack boots in virtual time (launching instances and placing tasks takes minutes of stack
 * time, which a user should not sit through), starting a little in the past and catching up with
 * the wall clock; then the same clock is paced to the speed asked and the port opens.
 *
 * Each load-balanced service's ALB listener gets a real HTTP port too (`--alb-port web=8080`, or a
 * free one), so curl or a load generator drives the stack's web tier over HTTP.
 */
import { basename, resolve } from "node:path";
import { RealClock, VirtualClock } from "../time/clock.js";
import { SeededRandom } from "../random/random.js";
import { defaultStackFile } from "./paths.js";
import { targetError, usage } from "./errors.js";
import { wholeNumberFlag } from "./number-flags.js";
import { BOOT_LOOKBACK_MS, bootStart, runOnToWall } from "./boot-clock.js";
import { parseSeed, parseSpeed } from "./run-command.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { optimizeFromNow } from "./tiering.js";
import { STOP_SIGNALS } from "./stop-signals.js";

export async function serveCommand(flags: { stack?: string; port: string; speed: string; seed?: string; albPort?: string[] }): Promise<number> {
  const port = wholeNumberFlag("--port", flags.port, { min: 0, max: 65535, expected: "a port number from 0 to 65535 (0: a free one)" });
  const speed = parseSpeed(flags.speed) ?? 1;
  const seed = parseSeed(flags.seed);
  // A server runs long and is paced to the wall clock: optimized code from the start.
  optimizeFromNow();
  const { serve, checkPortFree, PortUnavailable } = await import("../sandbox/serve.js");
  const { loadStack } = await import("../sandbox/stack/load.js");
  const { composeSandbox } = await import("./sandbox-compose.js");
  const stackFile = flags.stack ? resolve(process.cwd(), flags.stack) : defaultStackFile();
  let stack;
  try {
    stack = loadStack(stackFile);
  } catch (err) {
    // A StackError is reported as experiment errors are: one line per problem, then the count.
    if (err instanceof Error && err.name === "StackError") throw err;
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const albPorts = parseAlbPorts(flags.albPort ?? [], stack.services.filter((s) => s.targetGroup !== undefined).map((s) => s.name));
  const portError = (err: unknown, flag = "--port"): unknown =>
    err instanceof PortUnavailable ? usage(`${err.message}: stop what is using it, or choose another port with ${flag} (${flag} 0 picks a free one)`) : err;
  // Before the boot, so a busy port is reported at once rather than after it.
  try {
    await checkPortFree(port);
  } catch (err) {
    throw portError(err);
  }
  for (const [service, p] of albPorts) {
    if (p === 0) continue;
    try {
      await checkPortFree(p);
    } catch (err) {
      throw portError(err, `--alb-port ${service}=PORT`);
    }
  }

  // A signal during the boot ends it (the boot line says " interrupted"); after it, a signal is how
  // serving ends, and the user who pressed Ctrl-C is told it was heard and when closing is done.
  const stopped = new AbortController();
  let booting = true;
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopped.signal.aborted) return;
    if (!booting) {
      stoppedBy = signal;
      process.stdout.write(`${signal}: stopping the sandbox…\n`);
    }
    stopped.abort();
  };
  // SIGHUP too, as `chaos run` takes it: a closed terminal ends serving with its ports closed.
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  const wall = new RealClock();
  const clock = new VirtualClock(bootStart(wall));
  let composed: Awaited<ReturnType<typeof composeSandbox>> | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  const listeners: { service: string; url: string; close(): Promise<void> }[] = [];
  try {
    composed = await composeSandbox({ stack, clock, random: new SeededRandom(seed) }).catch((err: unknown) => {
      // A rule's handler module that is missing or does not load is bad input, as in `chaos run`.
      throw err instanceof Error && err.name === "HandlerLoadError" ? usage(err.message) : err;
    });
    const { sandbox } = composed;
    process.stdout.write(`booting stack ${basename(stackFile)} in virtual time…`);
    const bootFrom = clock.now();
    const wallStart = wall.now();
    sandbox.start();
    let up: boolean;
    try {
      up = await untilStopped(sandbox.ready(), stopped.signal);
    } catch (err) {
      process.stdout.write(" failed\n");
      throw targetError(err instanceof Error ? err.message : String(err));
    }
    if (!up) {
      process.stdout.write(" interrupted\n");
      return 0;
    }
    booting = false;
    const booted = clock.now() - bootFrom;
    process.stdout.write(` ${upSummary(sandbox)} (${(booted / 60_000).toFixed(1)} virtual minutes, ${((wall.now() - wallStart) / 1000).toFixed(1)} s)\n`);
    // Run on in virtual time until level with the wall clock (a client stamps its queries with it),
    // then let time pass at the speed asked.
    const caughtUpFrom = wall.now();
    const behind = await runOnToWall(clock, wall, stopped.signal);
    if (behind === undefined) return 0;
    if (behind > 0) process.stdout.write(`ran on to the wall clock (${(behind / 60_000).toFixed(1)} virtual minutes, ${((wall.now() - caughtUpFrom) / 1000).toFixed(1)} s)\n`);
    clock.pace(speed);
    if (behind < 0) process.stdout.write(`the stack took longer than ${BOOT_LOOKBACK_MS / 60_000} minutes to boot: its clock is ${(-behind / 1000).toFixed(0)} s ahead of the wall clock\n`);
    if (stopped.signal.aborted) return 0;
    try {
      // Clients (`chaos run --target`) take the sandbox's time and ALB ports from here.
      server = await serve(sandbox, { port, clock: () => ({ now: clock.now(), speed, albs: Object.fromEntries(listeners.map((l) => [l.service, l.url])), region: sandbox.region }) });
    } catch (err) {
      throw portError(err);
    }
    // Stopped while the port opened: it closes below, and must not be announced after "stopping".
    if (stopped.signal.aborted) return 0;
    process.stdout.write(`sandbox (${stackFile}) serving on ${server.url}  seed ${seed}  speed ${speed}x\n`);
    // The default: a newcomer's first run against it would otherwise look hung for its minutes.
    if (speed === 1) process.stdout.write("at 1x its minutes are real: a catalog experiment takes minutes against it (--speed 10 rehearses ten times faster)\n");
    // AWS_DEFAULT_REGION too: the AWS CLI v1 reads no AWS_REGION.
    process.stdout.write(`use it with: AWS_ENDPOINT_URL=${server.url} AWS_REGION=${sandbox.kernel.region} AWS_DEFAULT_REGION=${sandbox.kernel.region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x\n`);
    const { listenAlb } = await import("../sandbox/alb-listener.js");
    for (const service of sandbox.traffic.loadBalanced()) {
      // A signal may come as soon as "serving on" is printed: stop opening ports, and do not
      // announce one that opened meanwhile (it is closed below like the rest).
      if (stopped.signal.aborted) break;
      try {
        const listener = await listenAlb(sandbox.traffic, clock, service, albPorts.get(service) ?? 0);
        listeners.push(listener);
        if (!stopped.signal.aborted) process.stdout.write(`alb ${service} listening on ${listener.url}\n`);
      } catch (err) {
        throw portError(err, `--alb-port ${service}=PORT`);
      }
    }
    // A run's timeline shows when the sandbox fell behind the wall; a served one has none but this.
    sandbox.kernel.trace.onRecord((e) => {
      if (e.source === "sandbox" && e.kind === "behind" && !stopped.signal.aborted) process.stdout.write(`sandbox ${e.message}\n`);
    });
    if (!stopped.signal.aborted) await new Promise<void>((done) => stopped.signal.addEventListener("abort", () => done(), { once: true }));
    return 0;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    // Every path out closes the port and the stack's timers, so the process exits by itself.
    for (const l of listeners) await l.close();
    await server?.close();
    await composed?.close();
    clock.stop();
    if (stoppedBy !== undefined) process.stdout.write("stopped\n");
  }
}

/** `--alb-port service=port` values: each a load-balanced service of the stack, once, with a port (0: a free one). */
export function parseAlbPorts(values: readonly string[], services: readonly string[]): Map<string, number> {
  const ports = new Map<string, number>();
  const known = services.length ? services.join(", ") : "none in this stack";
  for (const value of values) {
    const m = /^([^=]+)=(\d+)$/.exec(value);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port >= 0 && port <= 65535)) throw usage(`--alb-port: expected SERVICE=PORT (a port from 0 to 65535), found ${JSON.stringify(value)}`);
    const service = m[1]!;
    if (!services.includes(service)) throw usage(`--alb-port: expected a load-balanced service of the stack (${known}), found ${JSON.stringify(service)}`);
    if (ports.has(service)) throw usage(`--alb-port: ${service} is given twice`);
    ports.set(service, port);
  }
  return ports;
}

/** Resolves true when `work` completes, false when the signal comes first. */
function untilStopped(work: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** "12 instances, 20 tasks running": what the boot brought up, for the user watching it. */
function upSummary(sandbox: Sandbox): string {
  const instances = sandbox.ec2.all().filter((i) => i.state === "running").length;
  let tasks = 0;
  for (const c of sandbox.ecs.clusters.values()) tasks += c.tasks.filter((t) => t.lastStatus === "RUNNING").length;
  return `${instances} instances, ${tasks} tasks running`;
}
