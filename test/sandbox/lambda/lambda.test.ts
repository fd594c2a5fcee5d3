/**
 * The sandbox's Lambda through @aws-sdk/client-lambda: Invoke runs the function's model on the
 * sandbox's clock, cold starts mount EFS (one NFS connection per execution environment), warm
 * environments are reused, concurrency over the limit is 429 TooManyRequestsException, a timeout
 * is a function error that discards the environment, EFS failures are Lambda's documented
 * exceptions (API_Invoke.html), and AWS/Lambda is published per FunctionName.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  EFSIOException,
  EFSMountConnectivityException,
  GetFunctionCommand,
  InvokeCommand,
  ListFunctionsCommand,
  TooManyRequestsException,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { harness, type Harness } from "../harness.js";

const STACK = (fn: string) => `
region: us-east-1
availabilityZones: [us-east-1a, us-east-1b]
efs:
  fileSystems:
    - name: wp
      sizeGiB: 2
      accessPoints: [{ name: root, path: /roots/wp }]
lambdas:
  accountConcurrency: 10
  functions:
    - name: wp
      memoryMB: 1769
      timeout: PT30S
      init: 400ms
      efs: { fileSystem: wp, accessPoint: root, mountPath: /mnt/root }
      ${fn}
      workload: { opens: 10, reads: 10, readBytes: 4096, cpu: 100ms, database: 20ms }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setUp(extra = ""): Promise<{ h: Harness; lambda: LambdaClient }> {
  h = await harness(STACK(extra));
  return { h, lambda: await h.clients.lambda() };
}

const invoke = (lambda: LambdaClient, payload: unknown = {}) => lambda.send(new InvokeCommand({ FunctionName: "wp", Payload: Buffer.from(JSON.stringify(payload)) }));

describe("Lambda Invoke in the sandbox", () => {
  it("a cold start pays init and the EFS mount; the warm environment is reused and is faster", async () => {
    const { h, lambda } = await setUp();
    const t0 = h.clock.now();
    const cold = await invoke(lambda);
    const coldMs = h.clock.now() - t0;
    expect(cold.StatusCode).toBe(200);
    expect(cold.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(cold.Payload!).toString())).toEqual({ statusCode: 200 });
    const t1 = h.clock.now();
    await invoke(lambda);
    const warmMs = h.clock.now() - t1;
    // 10 opens + 10 reads at 250 µs, 100 ms of CPU at one vCPU, 20 ms of database.
    expect(warmMs).toBeGreaterThanOrEqual(125);
    expect(warmMs).toBeLessThan(130);
    expect(coldMs - warmMs).toBeGreaterThanOrEqual(400);
    // One execution environment: one NFS connection.
    expect(h.sandbox.efs!.fileSystems[0]!.connectionCount).toBe(1);
  });

  it("an Event invocation is accepted with 202 and runs in the background; DryRun answers 204 and runs nothing", async () => {
    const { h, lambda } = await setUp();
    const fs = h.sandbox.efs!.fileSystems[0]!;
    const dry = await lambda.send(new InvokeCommand({ FunctionName: "wp", InvocationType: "DryRun" }));
    expect(dry.StatusCode).toBe(204);
    expect(fs.connectionCount).toBe(0);
    const t0 = h.clock.now();
    const queued = await lambda.send(new InvokeCommand({ FunctionName: "wp", InvocationType: "Event", Payload: Buffer.from("{}") }));
    expect(queued.StatusCode).toBe(202);
    expect(h.clock.now()).toBe(t0);
    await h.advance(5_000);
    // The background run mounted the file system: one environment, one NFS connection.
    expect(fs.connectionCount).toBe(1);
  });

  it("GetFunction and ListFunctions show memory, timeout and the EFS access point", async () => {
    const { lambda } = await setUp("reservedConcurrency: 2");
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "wp" }));
    expect(fn.Configuration).toMatchObject({ FunctionName: "wp", MemorySize: 1769, Timeout: 30, FileSystemConfigs: [{ LocalMountPath: "/mnt/root" }] });
    expect(fn.Configuration!.FileSystemConfigs![0]!.Arn).toMatch(/^arn:aws:elasticfilesystem:us-east-1:123456789012:access-point\/fsap-/);
    expect(fn.Concurrency).toEqual({ ReservedConcurrentExecutions: 2 });
    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions!.map((f) => f.FunctionName)).toEqual(["wp"]);
  });

  it("over the reserved concurrency, Invoke is refused with 429 TooManyRequestsException and counted in Throttles", async () => {
    const { h, lambda } = await setUp("reservedConcurrency: 2");
    const results = await Promise.allSettled([invoke(lambda), invoke(lambda), invoke(lambda)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const refused = (results[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(TooManyRequestsException);
    expect(refused.$metadata.httpStatusCode).toBe(429);
    await h.advance(120_000);
    const cw = await h.clients.cloudwatch();
    const sum = async (metric: string, stat = "Sum") => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(h.clock.now() - 600_000),
          EndTime: new Date(h.clock.now()),
          MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: metric, Dimensions: [{ Name: "FunctionName", Value: "wp" }] }, Period: 600, Stat: stat } }],
        }),
      );
      return out.MetricDataResults![0]!.Values![0];
    };
    expect(await sum("Invocations")).toBe(2);
    // The SDK retries a throttle (three attempts in all, while the two runs hold the concurrency): each refusal counts.
    expect(await sum("Throttles")).toBe(3);
    expect(await sum("ConcurrentExecutions", "Maximum")).toBe(2);
    // Duration is the handler's time: a cold start's init (400 ms, the mount) is not in it.
    const p99 = (await sum("Duration", "p99"))!;
    expect(p99).toBeGreaterThanOrEqual(125);
    expect(p99).toBeLessThan(130);
  });

  it("a run past the timeout is a function error (Unhandled, 'Task timed out'); the environment is discarded", async () => {
    const { h, lambda } = await setUp();
    const fs = h.sandbox.efs!.fileSystems[0]!;
    await invoke(lambda);
    fs.latencyFaults.add({ delayMs: 5_000, jitterMs: 0 });
    const t0 = h.clock.now();
    const out = await invoke(lambda);
    expect(h.clock.now() - t0).toBe(30_000);
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).errorMessage).toMatch(/Task timed out after 30\.00 seconds$/);
    expect(fs.connectionCount).toBe(0);
  });

  it("a lost mount target: a cold start fails with EFSMountConnectivityException, a warm environment's I/O with EFSIOException", async () => {
    const { h, lambda } = await setUp();
    await invoke(lambda);
    const fs = h.sandbox.efs!.fileSystems[0]!;
    for (const t of fs.mountTargets) t.lost = true;
    await expect(invoke(lambda)).rejects.toBeInstanceOf(EFSIOException);
    await expect(invoke(lambda)).rejects.toBeInstanceOf(EFSMountConnectivityException);
  });
});
