/**
 * Serve mode: the sandbox's dispatcher over HTTP on 127.0.0.1 (node:http), so that another
 * process, or a user's handler module, using the AWS SDK with AWS_ENDPOINT_URL=http://127.0.0.1:PORT
 * sees the same cluster. IMDS is served too, at /imds/<instance-id>/latest/meta-data/... with the
 * IMDSv2 token PUT at /imds/<instance-id>/latest/api/token.
 *
 * Transport failures are real: `refused` destroys the socket, `timeout` never answers (the
 * client's own timeout ends it), and an IMDS whose instance is gone closes the connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { Dispatch } from "./protocol/types.js";
import { isTransportFailure } from "./protocol/types.js";
import { ImdsUnreachable, type ImdsAnswer } from "./services/ec2/imds.js";

/** What serve needs from a sandbox. */
export interface Servable {
  readonly dispatcher: { dispatch: Dispatch };
  imds(instanceId: string, path: string): ImdsAnswer;
}

/** What a served sandbox says about its time and its ALB ports, so a client can run on its clock. */
export interface ServedClock {
  /** The sandbox's current time, ms since the epoch. */
  now: number;
  /** Sandbox milliseconds per wall millisecond. */
  speed: number;
  /** Each load-balanced service's ALB listener URL. */
  albs: Record<string, string>;
}

/**
 * Where the served sandbox publishes ServedClock (GET). No AWS API the dispatcher answers can clash
 * with it: the JSON protocols POST to "/", the REST ones (FIS, Lambda) use lower-case resource
 * paths without underscores, and a path segment starting with "_" is none of theirs.
 */
export const CLOCK_PATH = "/_gameday/clock";

export interface ServeOptions {
  port: number;
  host?: "127.0.0.1";
  /** Answers GET CLOCK_PATH; without it that path goes to the dispatcher like any other. */
  clock?: () => ServedClock;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

const IMDS = /^\/imds\/(i-[0-9a-f]+)(\/.*)$/;
const TOKEN_PREFIX = "AQAEAGameday";

/** Something else already listens on the port (or the process may not listen on it). */
export class PortUnavailable extends Error {
  constructor(
    readonly port: number,
    readonly reason: "in use" | "not permitted",
  ) {
    super(reason === "in use" ? `port ${port} is in use on 127.0.0.1` : `listening on port ${port} is not permitted`);
    this.name = "PortUnavailable";
  }
}

/** Listens on 127.0.0.1:port, turning the two errors a user can fix into PortUnavailable. */
export function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(e: "error", f: (err: Error) => void): unknown }, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new PortUnavailable(port, "in use"));
      else if (err.code === "EACCES") reject(new PortUnavailable(port, "not permitted"));
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

/**
 * Fails with PortUnavailable unless 127.0.0.1:port can be listened on now: checked before a slow
 * start so a busy port is reported at once. serve() still reports a port taken in the meantime.
 */
export async function checkPortFree(port: number): Promise<void> {
  const probe = createNetServer();
  await listen(probe, port, "127.0.0.1");
  await new Promise((resolve) => probe.close(resolve));
}

export async function serve(sandbox: Servable, options: ServeOptions): Promise<Served> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1") throw new Error(`serve: expected host 127.0.0.1, found ${String(host)}`);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`serve: expected a port from 0 to 65535, found ${options.port}`);
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const raw = Buffer.concat(chunks);
        // The SDKs and the AWS CLI gzip large PutMetricData bodies (Content-Encoding: gzip).
        const body = /\bgzip\b/.test(req.headers["content-encoding"] ?? "") ? gunzipSync(raw) : raw;
        if (options.clock && req.method === "GET" && new URL(req.url ?? "/", "http://127.0.0.1").pathname === CLOCK_PATH) {
          return void res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(options.clock()));
        }
        handle(sandbox, req, res, body.toString("utf8")).catch((err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" }).end(`sandbox serve error: ${(err as Error).message}`);
        });
      } catch (err) {
        res.writeHead(500, { "content-type": "text/plain" }).end(`sandbox serve error: ${(err as Error).message}`);
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(sandbox: Servable, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const imds = IMDS.exec(url.pathname);
  if (imds) return handleImds(sandbox, req, res, imds[1]!, imds[2]!);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  let outcome = sandbox.dispatcher.dispatch({ method: req.method ?? "GET", path: url.pathname, query, headers, body });
  // A call that takes the sandbox's time (Lambda Invoke) answers when it is done.
  while (!isTransportFailure(outcome) && outcome.later) outcome = await outcome.later;
  if (isTransportFailure(outcome)) {
    // refused: the connection drops; timeout: nothing ever comes back.
    if (outcome.failure === "refused") req.socket.destroy();
    return;
  }
  res.writeHead(outcome.statusCode, outcome.headers).end(outcome.body);
}

function handleImds(sandbox: Servable, req: IncomingMessage, res: ServerResponse, instanceId: string, path: string): void {
  if (path === "/latest/api/token") {
    if (req.method !== "PUT") return void res.writeHead(405).end();
    const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
    if (!(ttl >= 1 && ttl <= 21600)) return void res.writeHead(400).end();
    return void res.writeHead(200, { "content-type": "text/plain", "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) }).end(`${TOKEN_PREFIX}${instanceId}`);
  }
  const token = req.headers["x-aws-ec2-metadata-token"];
  if (token !== undefined && token !== `${TOKEN_PREFIX}${instanceId}`) return void res.writeHead(401).end();
  if (req.method !== "GET") return void res.writeHead(405).end();
  let answer: ImdsAnswer;
  try {
    answer = sandbox.imds(instanceId, path);
  } catch (err) {
    if (err instanceof ImdsUnreachable) return void req.socket.destroy();
    throw err;
  }
  res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
}
