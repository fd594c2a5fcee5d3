/**
 * An msw harness that answers the toolkit's AWS calls from recorded responses (fixtures/aws/).
 *
 * One handler per test file catches every https://*.amazonaws.com request, names its service from
 * the host and its operation from the wire (X-Amz-Target for the JSON protocols, the form's Action
 * for awsQuery, method + path for restJson1 routes read from the fixtures themselves), records it,
 * and answers what the scenario set for that operation. An operation the scenario did not set
 * fails with a network error and is listed in `unhandled`; any other host is failed by msw's
 * onUnhandledRequest "error". Nothing reaches the network.
 *
 * Adding an operation is one fixture file; adding a service is one line in SERVICE_BY_HOST.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

type SetupServerApi = ReturnType<typeof setupServer>;

export const FIXTURES = fileURLToPath(new URL("../../fixtures/aws/", import.meta.url));

/** The first label of an AWS endpoint host, as each service's fixtures folder is named. */
const SERVICE_BY_HOST: Readonly<Record<string, string>> = {
  fis: "fis",
  ecs: "ecs",
  kinesis: "kinesis",
  monitoring: "cloudwatch",
  sts: "sts",
  ec2: "ec2",
  iam: "iam",
  elasticloadbalancing: "elastic-load-balancing-v2",
  events: "eventbridge",
  autoscaling: "auto-scaling",
  sns: "sns",
  lambda: "lambda",
  elasticfilesystem: "efs",
};

export interface Fixture {
  service: string;
  operation: string;
  case: string;
  source: string;
  protocol: string;
  request: { method?: string; path?: string; target?: string; action?: string };
  response: { status: number; headers: Record<string, string>; body: unknown };
  note?: string;
}

export interface RecordedCall {
  service: string;
  operation: string;
  region: string;
  method: string;
  path: string;
  /** The parsed body: JSON, the awsQuery form as an object, or undefined. */
  body: unknown;
  /** Path parameters of restJson1 routes ({ id } for /experiments/{id}). */
  params: Record<string, string>;
}

export type Answer = string | Fixture["response"];
/** What an operation answers: a case name, a list of them played in order (the last repeats), or a function of the call. */
export type Reply = Answer | Answer[] | ((call: RecordedCall, n: number) => Answer);

const cache = new Map<string, Fixture>();

/** One recorded response, fixtures/aws/<service>/<Operation>.<case>.json, as a fresh copy to adjust. */
export function fixture(service: string, operation: string, kase: string): Fixture {
  const file = join(FIXTURES, service, `${operation}.${kase}.json`);
  let f = cache.get(file);
  if (!f) {
    f = JSON.parse(readFileSync(file, "utf8")) as Fixture;
    cache.set(file, f);
  }
  return structuredClone(f);
}

/** Every fixture file, for the coverage check and the restJson1 routes. */
export function allFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const service of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    for (const file of readdirSync(join(FIXTURES, service.name))) {
      const m = /^([A-Za-z0-9]+)\.([\w-]+)\.json$/.exec(file);
      if (m) out.push(fixture(service.name, m[1]!, m[2]!));
    }
  }
  return out;
}

/** A response body with a field changed: `withBody(fixture(...), (b) => { b.x = 1; })`. */
export function withBody(f: Fixture, change: (body: any) => void): Fixture["response"] {
  change(f.response.body);
  return f.response;
}

interface Route {
  service: string;
  operation: string;
  method: string;
  pattern: RegExp;
  names: string[];
}

/** restJson1 routes from the fixtures' request.method + request.path ("/experiments/{id}"). */
function restRoutes(): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const f of allFixtures()) {
    if (!f.request.path || !f.request.method) continue;
    const key = `${f.service} ${f.request.method} ${f.request.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const names: string[] = [];
    const source = f.request.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    routes.push({ service: f.service, operation: f.operation, method: f.request.method, pattern: new RegExp(`^${source}$`), names });
  }
  return routes;
}

async function readCall(request: Request): Promise<RecordedCall | undefined> {
  const url = new URL(request.url);
  const [prefix, regionOrDomain] = url.hostname.split(".");
  const service = SERVICE_BY_HOST[prefix ?? ""];
  if (!service) return undefined;
  const region = regionOrDomain === "amazonaws" ? "us-east-1" : (regionOrDomain ?? "");
  // CloudWatch clients gzip PutMetricData bodies of 10 KiB and more, as AWS accepts them.
  const raw = Buffer.from(await request.arrayBuffer());
  const text = (request.headers.get("content-encoding") === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
  const contentType = request.headers.get("content-type") ?? "";
  const call: RecordedCall = { service, operation: "", region, method: request.method, path: url.pathname, body: undefined, params: {} };
  const target = request.headers.get("x-amz-target");
  if (target) {
    call.operation = target.slice(target.indexOf(".") + 1);
    call.body = text ? JSON.parse(text) : {};
    return call;
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const form = Object.fromEntries(new URLSearchParams(text));
    call.operation = form.Action ?? "";
    call.body = form;
    return call;
  }
  for (const r of ROUTES()) {
    const m = r.service === service && r.method === request.method ? r.pattern.exec(url.pathname) : null;
    if (!m) continue;
    call.operation = r.operation;
    r.names.forEach((name, i) => (call.params[name] = decodeURIComponent(m[i + 1]!)));
    call.body = text ? JSON.parse(text) : undefined;
    return call;
  }
  return call;
}

let routes: Route[] | undefined;
const ROUTES = () => (routes ??= restRoutes());

function respond(service: string, operation: string, answer: Answer): Response {
  const r = typeof answer === "string" ? fixture(service, operation, answer).response : answer;
  // null: a response with no body at all (restJson1's 204s).
  const body = r.body === null ? null : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
  return new HttpResponse(body, { status: r.status, headers: r.headers });
}

/**
 * The AWS that one test sees. `reply` sets what an operation answers (stateful through a list or a
 * function); `calls` records every request that reached a known service; `unhandled` every request
 * nothing answered (msw has failed it).
 */
export class AwsScenario {
  readonly calls: RecordedCall[] = [];
  readonly unhandled: string[] = [];
  private readonly replies = new Map<string, Reply>();
  private readonly counts = new Map<string, number>();

  constructor(readonly server: SetupServerApi) {
    server.events.on("request:unhandled", ({ request }) => {
      this.unhandled.push(`${request.method} ${request.url}`);
    });
    server.use(
      // msw trap: a handler that matches and returns nothing lets the request through to the
      // network (onUnhandledRequest does not fire). So every AWS request is answered here, those
      // the scenario did not set with a network error, and recorded in `unhandled`.
      http.all(/^https:\/\/[^/]+\.amazonaws\.com\//, async ({ request }) => {
        const refuse = () => {
          this.unhandled.push(`${request.method} ${request.url}`);
          return HttpResponse.error();
        };
        const call = await readCall(request);
        if (!call) return refuse();
        this.calls.push(call);
        const key = `${call.service}:${call.operation}`;
        const reply = this.replies.get(key);
        if (reply === undefined) return refuse();
        const n = this.counts.get(key) ?? 0;
        this.counts.set(key, n + 1);
        const answer = typeof reply === "function" ? reply(call, n) : Array.isArray(reply) ? reply[Math.min(n, reply.length - 1)]! : reply;
        return respond(call.service, call.operation, answer);
      }),
    );
  }

  /** What `service`'s `operation` answers from now on (its call count starts again). */
  reply(service: string, operation: string, reply: Reply): this {
    this.replies.set(`${service}:${operation}`, reply);
    this.counts.delete(`${service}:${operation}`);
    return this;
  }

  /** The calls made to one operation. */
  callsTo(service: string, operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.service === service && c.operation === operation);
  }

  /** "service:Operation" of every call, in order. */
  operations(): string[] {
    return this.calls.map((c) => `${c.service}:${c.operation}`);
  }
}

/**
 * Starts msw for a test file with unhandled requests as errors; each test then builds its own
 * AwsScenario (handlers are reset after each test).
 */
export function awsServer(hooks: { beforeAll: (fn: () => void) => void; afterEach: (fn: () => void) => void; afterAll: (fn: () => void) => void }): SetupServerApi {
  const server = setupServer();
  hooks.beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  hooks.afterEach(() => {
    server.resetHandlers();
    server.events.removeAllListeners();
  });
  hooks.afterAll(() => server.close());
  return server;
}

/** Env credentials for the default chain, as an operator's shell would have them. */
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
