export { KinesisService, KINESIS_TARGET_PREFIX } from "./service.js";
export { kinesisConfigSchema, parseKinesisConfig, type KinesisConfig, type ParsedKinesisConfig } from "./config.js";
export type { KinesisMetrics, StreamMetrics, ShardMetrics } from "./metrics.js";
export type { RecordErrorCode, PutRecordsFaultForm } from "./faults.js";
export { CALLER_SUBNET_HEADER, type OutageEffect } from "../network/connectivity.js";
export { DEFAULT_ROLE_NAME } from "../iam/roles.js";
