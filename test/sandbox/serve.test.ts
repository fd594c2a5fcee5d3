import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { connect as connectHttp2, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { connect as connectTcp } from "node:net";
import { serve, type Served } from "../../src/sandbox/serve.js";
import { harness, stackYaml, type Harness } from "./harness.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

let h: Harness | undefined;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  await h?.close();
  served = h = undefined;
});

/** A separate Node process using the AWS SDK exactly as a user's script would, pointed at the sandbox by AWS_ENDPOINT_URL. */
async function child(url: string, script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDTEST",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    timeout: 20_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("serve mode", () => {
  it("lets another process's SDK see the same cluster, and serves IMDS with the IMDSv2 token", async () => {
    h = await harness(stackYaml());
    served = await serve(h.sandbox, { port: 0 });
    const spot = h.sandbox.ec2.all().find((i) => i.lifecycle === "spot")!;
    h.sandbox.interruptSpot(spot.id, 600_000);
    // Real I/O from here on: virtual time stands still until the child is done.
    const release = h.clock.hold();
    try {
      const out = await child(
        served.url,
        `import { ECSClient, ListClustersCommand, ListContainerInstancesCommand, DescribeContainerInstancesCommand, DescribeServicesCommand } from "@aws-sdk/client-ecs";
const ecs = new ECSClient({});
const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns;
const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "ec2InstanceId == ${spot.id}" }))).containerInstanceArns;
const ci = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: arns }))).containerInstances[0];
const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services[0];
const imds = process.env.AWS_ENDPOINT_URL + "/imds/${spot.id}/latest";
const token = await (await fetch(imds + "/api/token", { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" } })).text();
const get = async (p, t = token) => { const r = await fetch(imds + "/meta-data/" + p, { headers: { "x-aws-ec2-metadata-token": t } }); return [r.status, await r.text()]; };
console.log(JSON.stringify({ clusters, ec2InstanceId: ci.ec2InstanceId, status: ci.status, running: svc.runningCount,
  action: await get("spot/instance-action"), rebalance: await get("events/recommendations/rebalance"), id: await get("instance-id"), badToken: await get("instance-id", "nope") }));`,
      );
      expect(out.clusters).toEqual(["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]);
      expect(out).toMatchObject({ ec2InstanceId: spot.id, status: "ACTIVE", running: 3 });
      expect((out.action as [number])[0]).toBe(404);
      expect((out.rebalance as [number, string])[0]).toBe(200);
      expect(JSON.parse((out.rebalance as [number, string])[1])).toHaveProperty("noticeTime");
      expect(out.id).toEqual([200, spot.id]);
      expect((out.badToken as [number])[0]).toBe(401);
    } finally {
      release();
    }
  });

  it("turns a refused outcome into a dropped connection and typed errors into the SDK's exceptions", async () => {
    h = await harness(stackYaml());
    served = await serve(h.sandbox, { port: 0 });
    h.sandbox.dispatcher.intercept((call) => (call.operation === "DescribeServices" ? { failure: "refused" } : undefined));
    const release = h.clock.hold();
    try {
      const out = await child(
        served.url,
        `import { ECSClient, DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
const ecs = new ECSClient({ maxAttempts: 1 });
const name = (p) => p.then(() => "ok", (e) => e.name + ":" + (e.code ?? ""));
console.log(JSON.stringify({ refused: await name(ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))),
  missing: await name(ecs.send(new ListTasksCommand({ cluster: "nope" }))) }));`,
      );
      expect(out.refused).toMatch(/ECONNRESET|socket hang up/);
      expect(out.missing).toBe("ClusterNotFoundException:");
    } finally {
      release();
    }
  });

  it("over HTTP/2 (h2c): no pseudo-header reaches the sandbox, connection headers are left out of the answer, a refused call resets only its stream", async () => {
    h = await harness(stackYaml());
    served = await serve(h.sandbox, { port: 0 });
    const seen: Record<string, string>[] = [];
    h.sandbox.dispatcher.intercept((call) => {
      seen.push(call.request.headers);
      if (call.operation === "DescribeServices") return { failure: "refused" };
      // HTTP/1 answers may carry these; Node throws if an HTTP/2 answer does.
      if (call.operation === "ListClusters") return { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1", connection: "keep-alive", "keep-alive": "timeout=5", "transfer-encoding": "chunked" }, body: `{"clusterArns":[]}` };
      return undefined;
    });
    const release = h.clock.hold();
    const session = connectHttp2(served.url);
    try {
      const listed = await h2Call(session, "ListClusters");
      expect(listed.status).toBe(200);
      expect(listed.body).toBe(`{"clusterArns":[]}`);
      expect(Object.keys(listed.headers).filter((k) => ["connection", "keep-alive", "transfer-encoding"].includes(k))).toEqual([]);
      expect(Object.keys(seen[0]!).filter((k) => k.startsWith(":"))).toEqual([]);
      expect(seen[0]).toMatchObject({ "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": "application/x-amz-json-1.1" });

      await expect(h2Call(session, "DescribeServices", `{"cluster":"prod","services":["web"]}`)).rejects.toThrow(/NGHTTP2_REFUSED_STREAM/);
      // The session carries on: only the refused call's stream was reset.
      const tasks = await h2Call(session, "ListTasks", `{"cluster":"prod"}`);
      expect(tasks.status).toBe(200);
      expect(session.destroyed).toBe(false);
    } finally {
      session.destroy();
      release();
    }
  });

  it("closes at once with an HTTP/2 session and a connection that sent nothing still open", async () => {
    h = await harness(stackYaml(), { ready: false });
    served = await serve(h.sandbox, { port: 0 });
    const session = connectHttp2(served.url);
    session.on("error", () => {});
    const silent = connectTcp(Number(new URL(served.url).port), "127.0.0.1");
    silent.on("error", () => {});
    try {
      await Promise.all([new Promise((r) => session.once("connect", r)), new Promise((r) => silent.once("connect", r))]);
      const sessionClosed = new Promise((r) => session.once("close", r));
      const silentClosed = new Promise((r) => silent.once("close", r));
      await served.close();
      served = undefined;
      await Promise.all([sessionClosed, silentClosed]);
    } finally {
      session.destroy();
      silent.destroy();
    }
  });

  it("binds to 127.0.0.1 only", async () => {
    h = await harness(stackYaml(), { ready: false });
    await expect(serve(h.sandbox, { port: 0, host: "0.0.0.0" as "127.0.0.1" })).rejects.toThrow(/expected host 127\.0\.0\.1/);
  });
});

/** One ECS call as a raw HTTP/2 request: its status, headers and body, or the stream's error. */
function h2Call(session: ClientHttp2Session, operation: string, body = "{}"): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": "/", "x-amz-target": `AmazonEC2ContainerServiceV20141113.${operation}`, "content-type": "application/x-amz-json-1.1" });
    let text = "";
    stream.setEncoding("utf8");
    stream.on("response", (headers) => {
      stream.on("data", (d: string) => (text += d));
      stream.on("end", () => resolve({ status: Number(headers[":status"]), headers, body: text }));
    });
    stream.on("error", reject);
    stream.on("close", () => reject(new Error(`stream closed (code ${stream.rstCode})`)));
    stream.end(body);
  });
}
