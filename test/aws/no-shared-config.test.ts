/**
 * The SDK clients gameday builds for the sandbox and for local endpoints never read the shared
 * config files (~/.aws/config, ~/.aws/credentials) or anything else from disk or network on their
 * first call. Under a virtual clock such a read would be real I/O without a hold: time would jump
 * ahead while it is outstanding (that made test/sandbox/kinesis/through-fis.test.ts flaky).
 *
 * The shared files are pointed at FIFOs: reading one blocks until someone writes, so a client that
 * reads them cannot finish its call, deterministically, however fast the disk is. The test races
 * the first call against the virtual clock reaching a far timer (time jumped while the call was
 * pending) and against a reader appearing on a FIFO, then checks with async_hooks that the SDK
 * started no file, socket or DNS request either. A control shows the detector catches a client
 * configured the way gameday did before.
 */
import { createHook, type AsyncHook } from "node:async_hooks";
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { ListExperimentsCommand } from "@aws-sdk/client-fis";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { AwsClients, LOCAL_CREDENTIALS, type Connection } from "../../src/aws/clients.js";
import { InProcessHandler, type LocalDispatch } from "../../src/aws/in-process-handler.js";
import { SandboxLogShipping } from "../../src/cli/sandbox-logs.js";
import { SeededRandom } from "../../src/random/random.js";
import { RealClock, VirtualClock, type Clock } from "../../src/time/clock.js";
import type { LogProducerSpec } from "../../src/sandbox/workload/log-producers.js";

/** Answers every call with an empty but valid result for the operations used here. */
const dispatch: LocalDispatch = (req) =>
  req.path.startsWith("/experiments")
    ? { statusCode: 200, headers: { "content-type": "application/json" }, body: '{"experiments":[]}' }
    : { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: '{"clusterArns":[],"StreamNames":[],"HasMoreStreams":false,"Metrics":[]}' };

type Service = "cloudwatch" | "ecs" | "fis" | "kinesis";
const firstCall: Record<Service, (clients: AwsClients) => Promise<unknown>> = {
  // PutMetricData: the one operation with request compression, whose settings the client could read from the files.
  cloudwatch: async (c) => (await c.cloudwatch()).send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "m", Value: 1 }] })),
  ecs: async (c) => (await c.ecs()).send(new ListClustersCommand({})),
  fis: async (c) => (await c.fis()).send(new ListExperimentsCommand({})),
  kinesis: async (c) => (await c.kinesis()).send(new ListStreamsCommand({})),
};

let dir: string;
let fifos: string[];
let hook: AsyncHook | undefined;
const io: string[] = [];
let recording = false;

beforeEach(() => {
  if (!posix) return;
  dir = mkdtempSync(join(tmpdir(), "gameday-shared-config-"));
  fifos = [join(dir, "config"), join(dir, "credentials")];
  for (const f of fifos) execFileSync("mkfifo", [f]);
  // Fresh paths per test: the SDK caches file reads by path for the whole process.
  vi.stubEnv("AWS_CONFIG_FILE", fifos[0]!);
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", fifos[1]!);
  for (const name of ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"]) vi.stubEnv(name, undefined);
  io.length = 0;
  hook = createHook({
    init(_id, type) {
      if (!recording || !/^(FSREQ|FILEHANDLE|STATWATCHER|FSEVENTWRAP|TCP|UDP|PIPECONNECT|GETADDRINFO|GETNAMEINFO|QUERYWRAP)/.test(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 30;
      const stack = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      // Only what the SDK started: the test runner does I/O of its own meanwhile.
      const sdkFrame = stack.split("\n").find((line) => /node_modules[\\/]@(aws-sdk|smithy)[\\/]/.test(line));
      if (sdkFrame) io.push(`${type} from ${sdkFrame.trim()}`);
    },
  }).enable();
});

afterEach(() => {
  if (!posix) return;
  recording = false;
  hook?.disable();
  releaseReaders();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** True if someone has a FIFO open for reading (or is blocked opening it); lets them read EOF. */
function releaseReaders(): boolean {
  let any = false;
  for (const f of fifos) {
    try {
      // A non-blocking writer opens only if a reader is there; closing it gives the reader EOF.
      closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      any = true;
    } catch {
      // ENXIO: nobody reads it.
    }
  }
  return any;
}

/** Resolves when a reader appears on one of the FIFOs (polled on real time; the test's watchdog). */
function sharedFileRead(stop: { done: boolean }): Promise<"read the shared config files"> {
  return new Promise((resolve) => {
    const poll = () => {
      if (stop.done) return;
      if (releaseReaders()) resolve("read the shared config files");
      else setTimeout(poll, 2);
    };
    poll();
  });
}

/**
 * Builds a client with `create` (the factory holds the clock while it loads the SDK), then makes its
 * first call with `call` (under a virtual clock: with a far timer armed and no hold), and says what
 * happened first. I/O is recorded from before the client is built: a read the constructor starts
 * and leaves running would also be outstanding while virtual time runs.
 */
async function firstCallUnder<C>(clock: Clock, create: () => Promise<C>, call: (client: C) => Promise<unknown>): Promise<{ outcome: string; moved: number }> {
  const stop = { done: false };
  recording = true;
  const watchdog = sharedFileRead(stop);
  const client = await create();
  const t0 = clock.now();
  const racers: Promise<string>[] = [call(client).then(() => "answered" as const), watchdog];
  if (clock instanceof VirtualClock) racers.push(clock.sleep(3_600_000).then(() => "virtual time jumped" as const));
  const pending = racers[0]!;
  const outcome = await Promise.race(racers);
  recording = false;
  stop.done = true;
  const moved = clock.now() - t0;
  // Whatever happened, let the call finish (a FIFO reader gets EOF) so nothing is left hanging.
  let settled = false;
  void pending.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    releaseReaders();
    await new Promise((r) => setTimeout(r, 1));
  }
  return { outcome, moved };
}

const create = (clients: AwsClients, service: Service) => (): Promise<unknown> =>
  service === "cloudwatch" ? clients.cloudwatch() : service === "ecs" ? clients.ecs() : service === "fis" ? clients.fis() : clients.kinesis();

// FIFOs (mkfifo, O_NONBLOCK writers) are POSIX.
const posix = process.platform !== "win32";

describe.runIf(posix)("clients for the sandbox read no shared config on their first call", () => {
  for (const service of ["cloudwatch", "ecs", "fis", "kinesis"] as const) {
    it(`${service}: the first in-process call leaves virtual time where it was and starts no I/O`, async () => {
      const clock = new VirtualClock();
      const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch }, { clock, random: new SeededRandom(1) });
      const r = await firstCallUnder(clock, create(clients, service), () => firstCall[service](clients));
      await clients.destroy();
      clock.stop();
      expect(r).toEqual({ outcome: "answered", moved: 0 });
      expect(io).toEqual([]);
    });
  }

  it("a sandbox log shipper's Kinesis client: the same", async () => {
    const clock = new VirtualClock();
    const logs = await SandboxLogShipping.create(dispatch, clock, new SeededRandom(1));
    const spec: LogProducerSpec = {
      taskId: "0123456789abcdef",
      taskArn: "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef",
      service: "web",
      cluster: "prod",
      instanceId: "i-0123456789abcdef0",
      az: "us-east-1a",
      subnet: "subnet-aaa",
      stream: "logs",
      region: "us-east-1",
      role: undefined,
      accessKeyId: undefined,
      shipper: { spool: {} },
    };
    // The shipper's client is built privately per producer; reach it as the producer would.
    const build = async () => (logs as unknown as { client(spec: LogProducerSpec, clock: VirtualClock): KinesisClient }).client(spec, clock);
    let client: KinesisClient | undefined;
    const r = await firstCallUnder(clock, async () => (client = await build()), (c) => c.send(new ListStreamsCommand({})));
    client?.destroy();
    logs.close();
    clock.stop();
    expect(r).toEqual({ outcome: "answered", moved: 0 });
    expect(io).toEqual([]);
  });

  it("control: a client configured with only region, credentials and endpoint does read them, and virtual time jumps", async () => {
    const clock = new VirtualClock();
    // What AwsClients configured before: the detector must see this one.
    const client = new KinesisClient({
      region: "us-east-1",
      credentials: LOCAL_CREDENTIALS,
      endpoint: "https://sandbox.gameday.local",
      maxAttempts: 1,
      requestHandler: new InProcessHandler(dispatch, clock),
    });
    const r = await firstCallUnder(clock, async () => client, (c) => c.send(new ListStreamsCommand({})));
    client.destroy();
    clock.stop();
    expect(r.outcome).not.toBe("answered");
    expect(io.some((line) => line.startsWith("FSREQ"))).toBe(true);
  });
});

describe.runIf(posix)("clients for an AWS-compatible endpoint read no shared config either", () => {
  let server: Server;
  let endpoint: string;

  beforeEach(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const body = req.url?.startsWith("/experiments") ? '{"experiments":[]}' : '{"clusterArns":[],"StreamNames":[],"HasMoreStreams":false,"Metrics":[]}';
        res.writeHead(200, { "content-type": req.url?.startsWith("/experiments") ? "application/json" : "application/x-amz-json-1.1" }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    endpoint = `http://127.0.0.1:${address.port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  for (const service of ["cloudwatch", "ecs", "fis", "kinesis"] as const) {
    it(`${service}: the first call opens only its socket`, async () => {
      // Endpoint targets run on the real clock (a socket is I/O by nature): only what else the
      // client starts counts here.
      const clock = new RealClock();
      const connection: Connection = { kind: "endpoint", region: "us-east-1", endpoint };
      const clients = new AwsClients(connection, { clock, random: new SeededRandom(1) });
      const { outcome } = await firstCallUnder(clock, create(clients, service), () => firstCall[service](clients));
      await clients.destroy();
      expect(outcome).toBe("answered");
      expect(io.filter((line) => !/^TCP/.test(line))).toEqual([]);
    });
  }
});
