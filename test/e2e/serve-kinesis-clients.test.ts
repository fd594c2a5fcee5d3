/**
 * Kinesis records through clients that are not ours: the AWS CLI and boto3 put records on a served
 * sandbox and read them back. The sandbox keeps a record's data as bytes (as Kinesis does) and
 * writes it as base64 in its JSON answers, so what a second client sent must come back byte for
 * byte, binary data and all, with its partition key and the sequence number PutRecord gave.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, hasAwsCli, hasBoto3, python } from "./aws-cli.js";
import { servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const serve = servesForThisFile();
let endpoint = "";
beforeAll(async () => {
  if (!hasAwsCli && !hasBoto3) return;
  endpoint = (await serve(["--speed", "60", "--seed", "7"])).endpoint;
}, 60_000);

describe.skipIf(!hasAwsCli)("the AWS CLI puts and gets Kinesis records on chaos sandbox serve", () => {
  it("put-records then get-records from each record's sequence number gives back its bytes and key", async () => {
    // The CLI v1 takes a blob argument as text and sends its bytes base64-encoded.
    const texts = ["first line", "second line with ünïcode", "third"];
    const put = await awsCli(endpoint, [
      "kinesis",
      "put-records",
      "--stream-name",
      "app-logs",
      "--records",
      ...texts.map((t, i) => `Data=${t},PartitionKey=cli-${i}`),
    ]);
    expect(put.FailedRecordCount).toBe(0);
    for (const [i, entry] of (put.Records as { ShardId: string; SequenceNumber: string }[]).entries()) {
      const iterator = await awsCli(endpoint, [
        "kinesis",
        "get-shard-iterator",
        "--stream-name",
        "app-logs",
        "--shard-id",
        entry.ShardId,
        "--shard-iterator-type",
        "AT_SEQUENCE_NUMBER",
        "--starting-sequence-number",
        entry.SequenceNumber,
      ]);
      const got = await awsCli(endpoint, ["kinesis", "get-records", "--shard-iterator", iterator.ShardIterator, "--limit", "1"]);
      const record = got.Records[0] as { Data: string; PartitionKey: string; SequenceNumber: string };
      expect(record.SequenceNumber).toBe(entry.SequenceNumber);
      expect(record.PartitionKey).toBe(`cli-${i}`);
      expect(Buffer.from(record.Data, "base64").toString("utf8")).toBe(texts[i]);
    }
  });
});

describe.skipIf(!hasBoto3)("boto3 puts and gets Kinesis records on chaos sandbox serve", () => {
  it("binary data (every byte value) comes back byte for byte", async () => {
    const script = `
import boto3, json, sys
k = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
data = bytes(range(256)) * 3
put = k.put_record(StreamName="app-logs", PartitionKey="boto3-binary", Data=data)
it = k.get_shard_iterator(StreamName="app-logs", ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
rec = k.get_records(ShardIterator=it, Limit=1)["Records"][0]
print(json.dumps({"same": rec["Data"] == data, "length": len(rec["Data"]), "key": rec["PartitionKey"], "seq": rec["SequenceNumber"] == put["SequenceNumber"]}))
`;
    const out = JSON.parse(await python(script, [endpoint])) as { same: boolean; length: number; key: string; seq: boolean };
    expect(out).toEqual({ same: true, length: 768, key: "boto3-binary", seq: true });
  });
});
