/** @aws-sdk/client-kinesis, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-kinesis";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-kinesis";
export const { KinesisClient, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, DescribeStreamSummaryCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-kinesis");
/** The client class is a type as well as a value. */
export type KinesisClient = Sdk.KinesisClient;
