/**
 * A fake Kinesis for the shipper's tests: it stores what it accepts (duplicates included, so it is
 * the delivery oracle) and answers each call as the test scripts it. A reply can be handed to a
 * scheduler (fast-check's) so that the test decides when it arrives relative to timers and close().
 */
import type { KinesisPort, PutEntry, PutResult } from "../../../src/pipeline/kinesis-port.js";

export type Reply =
  | { kind: "ok" }
  /** HTTP 200 with these request indices failed (per-record error code). */
  | { kind: "partial"; fail: (index: number) => boolean; errorCode?: string }
  /** The call fails as a whole; nothing stored. */
  | { kind: "throw"; error: () => Error }
  /** No answer, ever. `stored`: Kinesis processed the records anyway (the ambiguous case). */
  | { kind: "hang"; stored: boolean };

export interface StoredRecord {
  text: string;
  key: string;
  call: number;
}

export interface CallLog {
  call: number;
  entries: PutEntry[];
  reply: Reply["kind"];
  failed: number[];
}

export const throttleError = () =>
  Object.assign(new Error("Rate exceeded for shard shardId-000000000000"), {
    name: "ProvisionedThroughputExceededException",
    $metadata: { httpStatusCode: 400 },
  });
export const serverError = () => Object.assign(new Error("Internal service failure."), { name: "InternalFailureException", $metadata: { httpStatusCode: 500 } });
export const refusedError = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
export const invalidError = () => Object.assign(new Error("1 validation error detected"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });

export class FakeKinesis implements KinesisPort {
  readonly stored: StoredRecord[] = [];
  readonly calls: CallLog[] = [];
  /** Decides the reply to each call; the default accepts everything. */
  respond: (call: number, entries: PutEntry[]) => Reply = () => ({ kind: "ok" });
  /** Wraps the answer's delivery (a scheduler, a latency); the default delivers at once. */
  deliver: <T>(answer: Promise<T>) => Promise<T> = (answer) => answer;
  /** Called at each call, e.g. to check the shipper's state when a call starts. */
  onCall: (call: number, entries: PutEntry[]) => void = () => {};
  private readonly decoder = new TextDecoder();
  private seqNo = 0;

  putRecords(entries: PutEntry[]): Promise<PutResult> {
    const call = this.calls.length;
    this.onCall(call, entries);
    const reply = this.respond(call, entries);
    const failed: number[] = [];
    this.calls.push({ call, entries: entries.map((e) => ({ data: e.data.slice(), partitionKey: e.partitionKey })), reply: reply.kind, failed });
    if (reply.kind === "hang") {
      if (reply.stored) for (const e of entries) this.store(e, call);
      return new Promise<PutResult>(() => {});
    }
    if (reply.kind === "throw") {
      const failure = Promise.reject(reply.error());
      // A scheduler may hold the answer for a while: that is not an unhandled rejection.
      failure.catch(() => {});
      return this.deliver(failure);
    }
    const records: PutResult["records"] = entries.map((e, i) => {
      if (reply.kind === "partial" && reply.fail(i)) {
        failed.push(i);
        return { errorCode: reply.errorCode ?? "ProvisionedThroughputExceededException", errorMessage: "Rate exceeded for shard shardId-000000000001" };
      }
      this.store(e, call);
      return { sequenceNumber: String(++this.seqNo), shardId: "shardId-000000000000" };
    });
    return this.deliver(Promise.resolve({ failedRecordCount: failed.length, records }));
  }

  /** The decoded JSON of every stored record, in arrival order. */
  storedJson(): Record<string, unknown>[] {
    return this.stored.map((s) => JSON.parse(s.text) as Record<string, unknown>);
  }

  private store(entry: PutEntry, call: number): void {
    this.stored.push({ text: this.decoder.decode(entry.data), key: entry.partitionKey, call });
  }
}
