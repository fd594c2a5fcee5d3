/**
 * The errors Kinesis answers with, by the names the SDK turns into typed exceptions and with the
 * messages the real service uses where they are known (quoted in the reference and in AWS's API
 * documentation). Everything is 400 unless AWS says otherwise.
 */
import { AwsServiceError } from "../../protocol/types.js";

export function invalidArgument(message: string): AwsServiceError {
  return new AwsServiceError("InvalidArgumentException", message, 400);
}

export function streamNotFound(name: string, account: string): AwsServiceError {
  return new AwsServiceError("ResourceNotFoundException", `Stream ${name} under account ${account} not found.`, 400);
}

export function shardNotFound(shardId: string, stream: string, account: string): AwsServiceError {
  return new AwsServiceError("ResourceNotFoundException", `Shard ${shardId} in stream ${stream} under account ${account} does not exist`, 400);
}

export function streamInUse(name: string, account: string, status: string): AwsServiceError {
  return new AwsServiceError("ResourceInUseException", `Stream ${name} under account ${account} not ACTIVE, instead in state ${status}`, 400);
}

export function limitExceeded(message: string): AwsServiceError {
  return new AwsServiceError("LimitExceededException", message, 400);
}

/** The write-side message, quoted from AWS's PutRecords documentation. */
export function writeRateMessage(shardId: string, stream: string, account: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${account}.`;
}

export function writeThrottled(shardId: string, stream: string, account: string): AwsServiceError {
  return new AwsServiceError("ProvisionedThroughputExceededException", writeRateMessage(shardId, stream, account), 400);
}

/** The read side names the shard as account/stream/shard. */
export function readThrottled(shardId: string, stream: string, account: string): AwsServiceError {
  return new AwsServiceError("ProvisionedThroughputExceededException", `Rate exceeded for Shard - ${account}/${stream}/${shardId}`, 400);
}

export function streamThrottled(stream: string, account: string): AwsServiceError {
  return new AwsServiceError("ProvisionedThroughputExceededException", `Rate exceeded for stream ${stream} under account ${account}.`, 400);
}

export const INTERNAL_FAILURE_MESSAGE = "Internal service failure.";

/** Java's Date.toString in UTC, which is how Kinesis prints times in this message. */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

export function iteratorExpired(issuedAt: number, now: number, lifetimeMs: number): AwsServiceError {
  return new AwsServiceError(
    "ExpiredIteratorException",
    `Iterator expired. The iterator was created at time ${javaDate(issuedAt)} while right now it is ${javaDate(now)} which is further in the future than the tolerated delay of ${lifetimeMs} milliseconds.`,
    400,
  );
}
