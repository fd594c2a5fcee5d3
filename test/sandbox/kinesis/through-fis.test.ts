/**
 * The Kinesis faults driven end to end: a real FIS template, sent with the real FisClient to the
 * sandbox's FIS service, acting on the sandbox's Kinesis through the real KinesisClient.
 */
import { describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, GetExperimentCommand, StartExperimentCommand, ValidationException, type FisClient } from "@aws-sdk/client-fis";
import { ProvisionedThroughputExceededException, PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { FisRegistry } from "../../../src/sandbox/services/fis/registry.js";
import { FisService } from "../../../src/sandbox/services/fis/service.js";
import { ACCOUNT, bytes, kinesisHarness, rejection, type Harness } from "./harness.js";

const ROLE = `arn:aws:iam::${ACCOUNT}:role/fis-experiment-role`;

async function withFis(): Promise<{ h: Harness; fis: FisClient }> {
  const h = await kinesisHarness({
    streams: [
      { name: "logs", shards: 2, tags: { chaos: "ok" } },
      { name: "audit", shards: 1 },
    ],
    roles: [{ name: "log-producer", accessKeyIds: ["AKIDPRODUCER00000001"] }],
    subnets: [{ id: "subnet-aaa", az: "us-east-1a" }, { id: "subnet-bbb", az: "us-east-1b" }],
  });
  const registry = new FisRegistry();
  h.kinesis.registerFis(registry);
  h.dispatcher.addRestService(new FisService(h.kernel, registry).rest);
  return { h, fis: await h.clients.fis() };
}

async function run(fis: FisClient, template: Record<string, unknown>): Promise<string> {
  const created = await fis.send(new CreateExperimentTemplateCommand({ description: "kinesis", roleArn: ROLE, stopConditions: [{ source: "none" }], ...template } as never));
  const started = await fis.send(new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id! }));
  return started.experiment!.id!;
}

const status = async (fis: FisClient, id: string) => (await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status;
const put = (c: KinesisClient, stream = "logs") => c.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "k", Data: bytes("x") }));

describe("Kinesis faults through the sandbox's FIS", () => {
  it("the Kinesis guide's template: provisioned-throughput-exception on streams tagged chaos=ok, for its duration", async () => {
    const { h, fis } = await withFis();
    const id = await run(fis, {
      targets: { "KinesisStreams-Target-1": { resourceType: "aws:kinesis:stream", resourceTags: { chaos: "ok" }, selectionMode: "ALL" } },
      actions: {
        kinesis: {
          actionId: "aws:kinesis:stream-provisioned-throughput-exception",
          parameters: { duration: "PT5M", percentage: "100" },
          targets: { KinesisStreams: "KinesisStreams-Target-1" },
        },
      },
    });
    await h.advance(1_000);
    expect(await status(fis, id)).toBe("running");
    expect(await rejection(put(h.client))).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((await put(h.client, "audit")).SequenceNumber).toBeDefined();
    await h.advance(5 * 60_000);
    expect(await status(fis, id)).toBe("completed");
    expect((await put(h.client)).SequenceNumber).toBeDefined();
  });

  it("aws:network:disrupt-connectivity on the subnets of one AZ: callers there time out until the experiment ends", async () => {
    const { h, fis } = await withFis();
    const inA = await h.clientAs("AKIDPRODUCER00000001", { subnet: "subnet-aaa" });
    const inB = await h.clientAs("AKIDPRODUCER00000001", { subnet: "subnet-bbb" });
    const id = await run(fis, {
      targets: { azA: { resourceType: "aws:ec2:subnet", parameters: { availabilityZoneIdentifier: "us-east-1a" }, selectionMode: "ALL" } },
      actions: { cut: { actionId: "aws:network:disrupt-connectivity", parameters: { duration: "PT10M", scope: "all" }, targets: { Subnets: "azA" } } },
    });
    await h.advance(1_000);
    expect((await rejection(put(inA))).name).toBe("TimeoutError");
    expect((await put(inB)).SequenceNumber).toBeDefined();
    await h.advance(10 * 60_000);
    expect(await status(fis, id)).toBe("completed");
    expect((await put(inA)).SequenceNumber).toBeDefined();
  });

  it("CreateExperimentTemplate refuses an inject-api action with a service FIS does not support", async () => {
    const { fis } = await withFis();
    const err = await rejection(
      fis.send(
        new CreateExperimentTemplateCommand({
          description: "bad service",
          roleArn: ROLE,
          stopConditions: [{ source: "none" }],
          targets: { producer: { resourceType: "aws:iam:role", resourceArns: [`arn:aws:iam::${ACCOUNT}:role/log-producer`], selectionMode: "ALL" } },
          actions: {
            throttle: {
              actionId: "aws:fis:inject-api-throttle-error",
              parameters: { duration: "PT5M", service: "dynamodb", percentage: "50", operations: "PutItem" },
              targets: { Roles: "producer" },
            },
          },
        }),
      ),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toContain("Invalid value 'dynamodb' for parameter service. The supported values are ec2 and kinesis.");
  });
});
