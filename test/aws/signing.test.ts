/**
 * Only the in-process connection skips SigV4 (the sandbox checks no signature and no bytes cross
 * a wire). A served sandbox or emulator on a URL, and real AWS, get every request signed: a
 * 64-hex-digit signature over the canonical request, with the credential scope.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { AwsClients } from "../../src/aws/clients.js";
import { VirtualClock, RealClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";
import { awsEnv } from "../msw/env.js";

const SIGNED = /^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\/\d{8}\/eu-west-1\/ecs\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/;

describe("requests that leave the process are signed", () => {
  let server: Server;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ clusterArns: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("an endpoint connection (chaos sandbox serve, an emulator) signs each request", async () => {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = new AwsClients({ kind: "endpoint", region: "eu-west-1", endpoint }, { clock: new VirtualClock(), random: new SeededRandom(1) });
    const ecs = await clients.ecs();
    await ecs.send(new ListClustersCommand({}));
    await ecs.send(new ListClustersCommand({}), { abortSignal: new AbortController().signal as never });
    await clients.destroy();
    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(headers.authorization).toMatch(SIGNED);
    }
  });
});

describe("requests to AWS are signed", () => {
  const msw = setupServer();
  const seen: string[] = [];
  beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => msw.close());

  it("an aws connection signs each request with the credentials of the default chain", async () => {
    awsEnv();
    msw.use(
      http.post("https://ecs.eu-west-1.amazonaws.com/", ({ request }) => {
        seen.push(request.headers.get("authorization") ?? "");
        return HttpResponse.json({ clusterArns: [] }, { headers: { "content-type": "application/x-amz-json-1.1" } });
      }),
    );
    const clients = new AwsClients({ kind: "aws", region: "eu-west-1" }, { clock: new RealClock(), random: new SeededRandom(1) });
    const ecs = await clients.ecs();
    await ecs.send(new ListClustersCommand({}));
    await clients.destroy();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(SIGNED);
    expect(seen[0]).toContain("Credential=AKIAIOSFODNN7EXAMPLE/");
  });
});
