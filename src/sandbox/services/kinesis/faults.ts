/**
 * The faults currently injected into Kinesis, and the per-call decisions they make. Each fault
 * draws from its own fork of the kernel's random source, so the same seed injects the same
 * failures into the same calls, and adding a fault never shifts another fault's draws.
 */
import type { Random } from "../../../random/random.js";
import { AwsServiceError } from "../../protocol/types.js";
import { iteratorExpired, streamThrottled } from "./errors.js";
import { ITERATOR_LIFETIME_MS } from "./limits.js";

/** How the stream throughput fault treats PutRecords; the other operations always fail whole. */
export type PutRecordsFaultForm = "whole-call" | "per-record";

/** aws:kinesis:stream-provisioned-throughput-exception and -expired-iterator-exception. */
export interface StreamFault {
  kind: "throughput" | "expired-iterator";
  streams: ReadonlySet<string>;
  percentage: number;
  random: Random;
  putRecordsForm: PutRecordsFaultForm;
}

/** A direct switch for PutRecords partial failures of a given code (tests, the sandbox). */
export interface RecordFault {
  streams: ReadonlySet<string>;
  percentage: number;
  errorCode: RecordErrorCode;
  random: Random;
}

export type RecordErrorCode = "ProvisionedThroughputExceededException" | "InternalFailure";

export type ApiErrorCode = "ThrottlingException" | "ServiceUnavailable" | "InternalFailure";

/** aws:fis:inject-api-{throttle,unavailable,internal}-error with service=kinesis. */
export interface ApiFault {
  code: ApiErrorCode;
  roleArns: ReadonlySet<string>;
  operations: ReadonlySet<string>;
  percentage: number;
  random: Random;
}

/** The status and message of each FIS API error, as streams/latest/dev/kinesis-fis.html lists them. */
export const API_ERRORS: Record<ApiErrorCode, { status: number; message: string }> = {
  ThrottlingException: { status: 400, message: "Rate exceeded" },
  ServiceUnavailable: { status: 503, message: "Service Unavailable" },
  InternalFailure: { status: 500, message: "An internal error occurred" },
};

const THROUGHPUT_OPERATIONS = new Set(["GetRecords", "GetShardIterator", "PutRecord", "PutRecords"]);

export interface InjectionCounts {
  /** Whole-call errors by code: API faults and stream faults. */
  calls: Record<string, number>;
  /** PutRecords entries failed by injection, by ErrorCode. */
  records: Record<string, number>;
}

function hit(random: Random, percentage: number): boolean {
  return random.next() * 100 < percentage;
}

export class FaultBoard {
  private readonly streamFaults = new Set<StreamFault>();
  private readonly recordFaults = new Set<RecordFault>();
  private readonly apiFaults = new Set<ApiFault>();
  readonly counts: InjectionCounts = { calls: {}, records: {} };

  constructor(private readonly account: string) {}

  addStreamFault(fault: StreamFault): () => void {
    return this.add(this.streamFaults, fault);
  }

  addRecordFault(fault: RecordFault): () => void {
    return this.add(this.recordFaults, fault);
  }

  addApiFault(fault: ApiFault): () => void {
    return this.add(this.apiFaults, fault);
  }

  /** The whole-call error a stream fault injects into this call, if any. */
  streamError(stream: string, operation: string, now: number): AwsServiceError | undefined {
    for (const f of this.streamFaults) {
      if (!f.streams.has(stream)) continue;
      if (f.kind === "throughput") {
        if (!THROUGHPUT_OPERATIONS.has(operation)) continue;
        if (operation === "PutRecords" && f.putRecordsForm === "per-record") continue;
        if (hit(f.random, f.percentage)) return this.counted(streamThrottled(stream, this.account));
      } else if (operation === "GetRecords" && hit(f.random, f.percentage)) {
        // The iterator was fine; the fault makes it look as if it had outlived its 5 minutes.
        return this.counted(iteratorExpired(now - ITERATOR_LIFETIME_MS - 1, now, ITERATOR_LIFETIME_MS));
      }
    }
    return undefined;
  }

  /** The ErrorCode a fault gives one PutRecords entry, if any. */
  recordError(stream: string): RecordErrorCode | undefined {
    for (const f of this.streamFaults) {
      if (f.kind === "throughput" && f.putRecordsForm === "per-record" && f.streams.has(stream) && hit(f.random, f.percentage)) {
        return this.countedRecord("ProvisionedThroughputExceededException");
      }
    }
    for (const f of this.recordFaults) {
      if (f.streams.has(stream) && hit(f.random, f.percentage)) return this.countedRecord(f.errorCode);
    }
    return undefined;
  }

  /** The API error an inject-api-* fault gives this caller's call, if any. */
  apiError(roleArn: string, operation: string): AwsServiceError | undefined {
    for (const f of this.apiFaults) {
      if (!f.roleArns.has(roleArn) || !f.operations.has(operation)) continue;
      if (hit(f.random, f.percentage)) {
        const { status, message } = API_ERRORS[f.code];
        return this.counted(new AwsServiceError(f.code, message, status));
      }
    }
    return undefined;
  }

  private add<T>(set: Set<T>, fault: T): () => void {
    set.add(fault);
    return () => {
      set.delete(fault);
    };
  }

  private counted(err: AwsServiceError): AwsServiceError {
    this.counts.calls[err.code] = (this.counts.calls[err.code] ?? 0) + 1;
    return err;
  }

  private countedRecord(code: RecordErrorCode): RecordErrorCode {
    this.counts.records[code] = (this.counts.records[code] ?? 0) + 1;
    return code;
  }
}
