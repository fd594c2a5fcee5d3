/**
 * The pinned CloudWatch client over real HTTP against serve mode (AwsClients' endpoint
 * connection, as `--target http://127.0.0.1:PORT` builds it): a PutMetricData past 10 KiB goes
 * gzipped (Content-Encoding: gzip) and still lands.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AwsClients } from "../../../src/aws/clients.js";
import { SeededRandom } from "../../../src/random/random.js";
import { RealClock } from "../../../src/time/clock.js";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  await clients?.destroy();
  await h?.close();
});

describe("CloudWatch over HTTP from the pinned SDK", () => {
  it("accepts a gzipped PutMetricData and answers GetMetricData", async () => {
    h = await harness(stackYaml({}), { ready: false });
    const endpoint = await h.sandbox.endpoint();
    clients = new AwsClients({ kind: "endpoint", region: "us-east-1", endpoint }, { clock: new RealClock(), random: new SeededRandom(1) });
    const cw = await clients.cloudwatch();
    const sent: string[] = [];
    cw.middlewareStack.add(
      (next) => async (args) => {
        sent.push(String((args.request as { headers: Record<string, string> }).headers["content-encoding"] ?? "none"));
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "recordEncoding" },
    );
    const t = Math.floor(h.clock.now() / 60_000) * 60_000 - 120_000;
    const data = Array.from({ length: 20 }, (_, i) => ({ MetricName: "Big", Dimensions: [{ Name: "Shard", Value: `s-${i}` }], Timestamp: new Date(t + 1_000), Values: Array.from({ length: 150 }, (_, j) => j + 0.25) }));
    await cw.send(new PutMetricDataCommand({ Namespace: "Served", MetricData: data }));
    expect(sent).toEqual(["gzip"]);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t),
        EndTime: new Date(t + 60_000),
        MetricDataQueries: [{ Id: "n", MetricStat: { Metric: { Namespace: "Served", MetricName: "Big", Dimensions: [{ Name: "Shard", Value: "s-7" }] }, Period: 60, Stat: "Maximum" } }],
      }),
    );
    expect(out.MetricDataResults![0]!.Values).toEqual([149.25]);
  });
});
