/**
 * The user's code under test in docs/testing.md: two retry wrappers around a Kinesis producer's
 * PutRecords. Both take their sleep and randomness from the caller, so a test runs them in
 * virtual time. `putAllNaive` has the bug many real producers have: on a partial failure it
 * resends the whole batch, duplicating every record that had already been accepted.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";

export interface ProducerDeps {
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
  maxAttempts: number;
  baseMs?: number;
  capMs?: number;
}

/** The shape of both wrappers, for a property that takes either. */
export type PutAll = (client: KinesisClient, stream: string, records: PutRecordsRequestEntry[], d: ProducerDeps) => Promise<void>;

/** Whether an error is worth another attempt: throttling, 5xx, or no response at all. */
export function retryable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || ["ProvisionedThroughputExceededException", "ThrottlingException", "LimitExceededException"].includes(e.name ?? "");
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
function backoff(attempt: number, d: ProducerDeps): number {
  return d.random() * Math.min(d.capMs ?? 5_000, (d.baseMs ?? 100) * 2 ** attempt);
}

export async function putAllNaive(client: KinesisClient, stream: string, records: PutRecordsRequestEntry[], d: ProducerDeps): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
      if (!out.FailedRecordCount) return;
      // BUG: the records that succeeded are sent again with the failed ones.
    } catch (err) {
      if (!retryable(err)) throw err;
    }
    if (attempt + 1 >= d.maxAttempts) throw new Error(`gave up after ${d.maxAttempts} attempts`);
    await d.sleep(backoff(attempt, d));
  }
}

export async function putAllResilient(client: KinesisClient, stream: string, records: PutRecordsRequestEntry[], d: ProducerDeps): Promise<void> {
  let pending = records;
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
      // Only the records that failed go again, in their order.
      pending = pending.filter((_, i) => out.Records?.[i]?.ErrorCode !== undefined);
      if (pending.length === 0) return;
    } catch (err) {
      if (!retryable(err)) throw err;
    }
    if (attempt + 1 >= d.maxAttempts) throw new Error(`gave up after ${d.maxAttempts} attempts with ${pending.length} record(s) unsent`);
    await d.sleep(backoff(attempt, d));
  }
}
