/**
 * Serve mode: the sandbox's dispatcher over HTTP on 127.0.0.1, so that another process, or a user's
 * handler module, using the AWS SDK with AWS_ENDPOINT_URL=http://127.0.0.1:PORT sees the same
 * cluster. The port speaks HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge): the JS SDK v3
 * Kinesis client's default handler is NodeHttp2Handler, which sends the HTTP/2 preface at once.
 * IMDS is served too, at /imds/<instance-id>/latest/meta-data/... with the IMDSv2 token PUT at
 * /imds/<instance-id>/latest/api/token.
 *
 * Transport failures are real: `refused` destroys the socket (HTTP/2: resets the stream), `timeout`
 * never answers (the client's own timeout ends it), and an IMDS whose instance is gone closes the
 * connection.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { constants as h2, createServer as createHttp2Server, Http2ServerRequest, Http2ServerResponse, type ServerHttp2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { Dispatch, SandboxRequest, SandboxResponse } from "./protocol/types.js";
import { isTransportFailure } from "./protocol/types.js";
import { ImdsUnreachable, type ImdsAnswer } from "./services/ec2/imds.js";
import { HTTP_TIMEOUTS, httpServerTimeouts, type HttpTimeouts } from "./http-timeouts.js";

/** What serve needs from a sandbox. */
export interface Servable {
  readonly dispatcher: { dispatch: Dispatch; refuseForeignScope?(request: SandboxRequest, region: string): SandboxResponse | undefined };
  /**
   * The one region the sandbox's resources are in (its stack's `region:`). Given, a request signed
   * for another region is refused as a regional AWS endpoint refuses it (credential-scope.ts),
   * rather than answered with this region's resources.
   */
  readonly region?: string;
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
  /** The region the sandbox serves (its stack's region); requests signed for another are refused. */
  region?: string;
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
  /** How long a client may take over a request (default HTTP_TIMEOUTS; tests shorten them). */
  timeouts?: HttpTimeouts;
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
  const onRequest = (req: Request, res: Response): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const raw = Buffer.concat(chunks);
        // The SDKs and the AWS CLI gzip large PutMetricData bodies (Content-Encoding: gzip).
        const body = /\bgzip\b/.test(req.headers["content-encoding"] ?? "") ? gunzipSync(raw) : raw;
        if (options.clock && req.method === "GET" && new URL(req.url ?? "/", "http://127.0.0.1").pathname === CLOCK_PATH) {
          return reply(res, 200, { "content-type": "application/json", "cache-control": "no-store" }, JSON.stringify(options.clock()));
        }
        handle(sandbox, req, res, body.toString("utf8")).catch((err: unknown) => {
          reply(res, 500, { "content-type": "text/plain" }, `sandbox serve error: ${(err as Error).message}`);
        });
      } catch (err) {
        reply(res, 500, { "content-type": "text/plain" }, `sandbox serve error: ${(err as Error).message}`);
      }
    });
  };
  const front = http1AndH2c(onRequest, options.timeouts ?? HTTP_TIMEOUTS);
  await listen(front.server, options.port, host);
  const { port } = front.server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: front.close };
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** The client connection preface of HTTP/2 (RFC 9113 section 3.4); no HTTP/1 request starts with it. */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * One TCP server for both protocols. Node's cleartext http2 server cannot fall back to HTTP/1
 * (allowHTTP1 works only through TLS ALPN), so each connection's first bytes are read: the HTTP/2
 * preface hands the socket to an http2 server (compatibility API, the same handler), anything else
 * to an http server. The bytes read are unshifted back for the server that takes the socket.
 * Only this AWS API port needs it: the ALB listeners (alb-listener.ts) stand for a web tier that
 * curl and load generators reach over HTTP/1.1.
 *
 * The first bytes must come within the headers timeout (http-timeouts.ts), or the socket is
 * destroyed: a client that connects and sends nothing, or part of the HTTP/2 preface, is no
 * server's yet. From there the http server's own headers and request timeouts govern HTTP/1.
 */
function http1AndH2c(onRequest: (req: Request, res: Response) => void, timeouts: HttpTimeouts): { server: NetServer; close(): Promise<void> } {
  const http1 = createServer(httpServerTimeouts(timeouts), onRequest);
  // Node looks for requests past their headers or request timeout only on a server that listens,
  // from its 'listening' event on; this one never listens (the TCP server below hands it sockets),
  // so without this it would let a half-sent request hold its socket for ever.
  http1.emit("listening");
  const http2 = createHttp2Server(onRequest);
  const sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();
  http2.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Until a server takes the socket, a reset by the client must not be an uncaught error.
    socket.on("error", () => {});
    let seen = Buffer.alloc(0);
    const silent = (): void => void socket.destroy();
    socket.setTimeout(timeouts.headersMs, silent);
    const hand = (to: typeof http1 | typeof http2): void => {
      socket.off("readable", peek);
      socket.setTimeout(0);
      socket.off("timeout", silent);
      socket.unshift(seen);
      to.emit("connection", socket);
    };
    const peek = (): void => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) {
        seen = Buffer.concat([seen, chunk]);
        const n = Math.min(seen.length, H2_PREFACE.length);
        if (!seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) return hand(http1);
        if (n === H2_PREFACE.length) return hand(http2);
      }
    };
    socket.on("readable", peek);
  });
  return {
    server,
    // Every socket, whichever server has it (or none yet: a client that sent nothing), is
    // destroyed, so that closing never waits on a client.
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
        // Stops its timeout checks (it never listened: no callback, nothing else to close).
        http1.close();
        server.close(() => resolve());
      }),
  };
}

/** Response headers HTTP/2 forbids (RFC 9113 section 8.2.2); Node throws on them. */
const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings"]);

function reply(res: Response, status: number, headers: OutgoingHttpHeaders = {}, body?: string): void {
  if (res instanceof Http2ServerResponse) {
    const allowed: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) {
      const name = k.toLowerCase();
      if (!CONNECTION_SPECIFIC.has(name) && !(name === "te" && v !== "trailers")) allowed[k] = v;
    }
    res.writeHead(status, allowed);
    if (body === undefined) res.end();
    else res.end(body);
  } else {
    res.writeHead(status, headers).end(body);
  }
}

async function handle(sandbox: Servable, req: Request, res: Response, body: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const imds = IMDS.exec(url.pathname);
  if (imds) return handleImds(sandbox, req, res, imds[1]!, imds[2]!);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    // HTTP/2's pseudo-headers (":method", ":path", ":authority") are no AWS request's headers.
    if (v !== undefined && !k.startsWith(":")) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const request: SandboxRequest = { method: req.method ?? "GET", path: url.pathname, query, headers, body };
  const refused = sandbox.region === undefined ? undefined : sandbox.dispatcher.refuseForeignScope?.(request, sandbox.region);
  if (refused) return reply(res, refused.statusCode, refused.headers, refused.body);
  let outcome = sandbox.dispatcher.dispatch(request);
  // A call that takes the sandbox's time (Lambda Invoke) answers when it is done.
  while (!isTransportFailure(outcome) && outcome.later) outcome = await outcome.later;
  if (isTransportFailure(outcome)) {
    // refused: the connection drops; timeout: nothing ever comes back.
    if (outcome.failure === "refused") drop(req);
    return;
  }
  reply(res, outcome.statusCode, outcome.headers, outcome.body);
}

function handleImds(sandbox: Servable, req: Request, res: Response, instanceId: string, path: string): void {
  if (path === "/latest/api/token") {
    if (req.method !== "PUT") return reply(res, 405);
    const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
    if (!(ttl >= 1 && ttl <= 21600)) return reply(res, 400);
    return reply(res, 200, { "content-type": "text/plain", "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) }, `${TOKEN_PREFIX}${instanceId}`);
  }
  const token = req.headers["x-aws-ec2-metadata-token"];
  if (token !== undefined && token !== `${TOKEN_PREFIX}${instanceId}`) return reply(res, 401);
  if (req.method !== "GET") return reply(res, 405);
  let answer: ImdsAnswer;
  try {
    answer = sandbox.imds(instanceId, path);
  } catch (err) {
    if (err instanceof ImdsUnreachable) return drop(req);
    throw err;
  }
  reply(res, answer.status, { "content-type": "text/plain" }, answer.body);
}

/**
 * A request whose connection fails. HTTP/1: the socket closes. HTTP/2: the connection carries the
 * client's other calls too, so only this request's stream is reset, as REFUSED_STREAM ("not
 * processed"); the SDK retries either.
 */
function drop(req: Request): void {
  if (req instanceof Http2ServerRequest) req.stream.close(h2.NGHTTP2_REFUSED_STREAM);
  else req.socket.destroy();
}
