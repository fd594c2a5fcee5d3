import { describe, expect, it, vi } from "vitest";
import { ListClustersCommand, ClusterNotFoundException, DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { GetExperimentCommand, ResourceNotFoundException } from "@aws-sdk/client-fis";
import { AwsClients } from "../../src/aws/clients.js";
import { Dispatcher } from "../../src/sandbox/protocol/dispatcher.js";
import { AwsServiceError } from "../../src/sandbox/protocol/types.js";
import { VirtualClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";

function setup() {
  const clock = new VirtualClock();
  const dispatcher = new Dispatcher();
  let calls = 0;
  let failuresLeft = 0;
  dispatcher.addJsonService({
    name: "ecs",
    targetPrefix: "AmazonEC2ContainerServiceV20141113",
    operations: {
      ListClusters: () => {
        calls++;
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new AwsServiceError("ThrottlingException", "Rate exceeded", 400);
        }
        return { clusterArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/web"] };
      },
      DescribeClusters: () => {
        throw new AwsServiceError("ClusterNotFoundException", "Cluster not found.", 400);
      },
    },
  });
  dispatcher.addRestService({
    name: "fis",
    routes: [
      {
        method: "GET",
        path: "/experiments/{id}",
        operation: "GetExperiment",
        handler: ({ params }) => {
          throw new AwsServiceError("ResourceNotFoundException", `Experiment ${params.id} not found.`, 404);
        },
      },
    ],
  });
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: dispatcher.dispatch }, { clock, random: new SeededRandom(1) });
  return { clock, clients, calls: () => calls, failNext: (n: number) => (failuresLeft = n) };
}

describe("SDK clients against an in-process dispatcher", () => {
  it("round-trips an awsJson1_1 call", async () => {
    const { clients } = setup();
    const ecs = await clients.ecs();
    const out = await ecs.send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual(["arn:aws:ecs:us-east-1:123456789012:cluster/web"]);
  });

  it("turns awsJson1_1 errors into the SDK's typed exceptions", async () => {
    const { clients } = setup();
    const ecs = await clients.ecs();
    const err = await ecs.send(new DescribeClustersCommand({ clusters: ["nope"] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect((err as ClusterNotFoundException).message).toBe("Cluster not found.");
  });

  it("turns restJson1 errors into the SDK's typed exceptions", async () => {
    const { clients } = setup();
    const fis = await clients.fis();
    const err = await fis.send(new GetExperimentCommand({ id: "EXP1" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe("Experiment EXP1 not found.");
  });

  it("retries throttling on the injected clock, in virtual time", async () => {
    const { clients, clock, calls, failNext } = setup();
    const ecs = await clients.ecs();
    failNext(2);
    const before = clock.now();
    const out = await ecs.send(new ListClustersCommand({}));
    expect(out.clusterArns).toHaveLength(1);
    expect(calls()).toBe(3);
    // Two backoff sleeps happened in virtual time (each below its full-jitter ceiling).
    expect(clock.now() - before).toBeLessThan(100 + 200);
  });

  it("gives up after the attempt limit with the last error", async () => {
    const { clients, calls, failNext } = setup();
    const ecs = await clients.ecs();
    failNext(10);
    const err = await ecs.send(new ListClustersCommand({})).catch((e: unknown) => e);
    expect((err as Error).name).toBe("ThrottlingException");
    expect(calls()).toBe(3);
    expect((err as { gaveUp?: string }).gaveUp).toBe("attempts");
  });
});

describe("in-process calls carry the caller's credential scope without signing", () => {
  it("the sandbox still sees each client's access key id, region and service (IAM role faults read it); no SigV4 signature is computed", async () => {
    const clock = new VirtualClock();
    const dispatcher = new Dispatcher();
    const seen: string[] = [];
    dispatcher.addJsonService({
      name: "ecs",
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      operations: { ListClusters: () => ({ clusterArns: [] }) },
    });
    dispatcher.intercept((call) => {
      seen.push(call.request.headers["authorization"] ?? "");
      return undefined;
    });
    dispatcher.addRestService({ name: "fis", routes: [{ method: "GET", path: "/experiments/{id}", operation: "GetExperiment", handler: () => ({ experiment: { id: "x" } }) }] });
    const clients = new AwsClients({ kind: "local", region: "eu-west-1", dispatch: dispatcher.dispatch }, { clock, random: new SeededRandom(1) });
    await (await clients.ecs()).send(new ListClustersCommand({}));
    await (await clients.fis()).send(new GetExperimentCommand({ id: "x" }));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/Credential=AKIDGAMEDAYSANDBOX\/\d{8}\/eu-west-1\/ecs\/aws4_request/);
    expect(seen[1]).toMatch(/Credential=AKIDGAMEDAYSANDBOX\/\d{8}\/eu-west-1\/fis\/aws4_request/);
    for (const auth of seen) expect(auth).not.toMatch(/Signature=[0-9a-f]{64}/);
  });

  it("skips the SDK's own retry bookkeeping (gameday's retry is the one layer): no invocation id or attempt header, and throttling is still retried", async () => {
    const { clients, calls, failNext } = setup();
    const headers: Record<string, string>[] = [];
    const ecs = await clients.ecs();
    ecs.middlewareStack.add((next) => (args) => (headers.push({ ...(args.request as { headers: Record<string, string> }).headers }), next(args)), { step: "deserialize", priority: "low", name: "spy" });
    failNext(1);
    await ecs.send(new ListClustersCommand({}));
    expect(calls()).toBe(2);
    expect(headers).toHaveLength(2);
    for (const h of headers) {
      expect(h).not.toHaveProperty("amz-sdk-invocation-id");
      expect(h).not.toHaveProperty("amz-sdk-request");
    }
  });
});

describe("in-process clients resolve their middleware once per command", () => {
  it("reuses the resolved handler across calls, with and without an abort signal, and each call gets its own answer", async () => {
    const clock = new VirtualClock();
    const dispatcher = new Dispatcher();
    dispatcher.addJsonService({
      name: "ecs",
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      operations: { DescribeClusters: (input: { clusters?: string[] }) => ({ clusters: (input.clusters ?? []).map((clusterName) => ({ clusterName })) }) },
    });
    const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: dispatcher.dispatch }, { clock, random: new SeededRandom(1) });
    const ecs = await clients.ecs();
    const resolve = vi.spyOn(DescribeClustersCommand.prototype, "resolveMiddleware");
    const signal = new AbortController().signal;
    const names = await Promise.all(["a", "b", "c", "d"].map(async (name, i) => (await ecs.send(new DescribeClustersCommand({ clusters: [name] }), i % 2 ? { abortSignal: signal as never } : undefined)).clusters?.[0]?.clusterName));
    expect(names).toEqual(["a", "b", "c", "d"]);
    expect(resolve).toHaveBeenCalledTimes(1);
    resolve.mockRestore();
  });

  it("a call's abort signal still ends a simulated hang at once, with the signal's reason", async () => {
    const clock = new VirtualClock();
    const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: () => ({ failure: "timeout" }) }, { clock, random: new SeededRandom(1), requestTimeoutMs: 5_000 });
    const ecs = await clients.ecs();
    const stop = new AbortController();
    const reason = new Error("probe deadline");
    void clock.sleep(1_000).then(() => stop.abort(reason));
    const start = clock.now();
    const err = await ecs.send(new ListClustersCommand({}), { abortSignal: stop.signal as never }).catch((e: unknown) => e);
    expect(err).toBe(reason);
    expect(clock.now() - start).toBe(1_000);
  });
});
