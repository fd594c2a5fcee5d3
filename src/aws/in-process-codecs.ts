/**
 * Hand-written awsJson codecs for the few operations an in-process run makes by the hundred
 * thousand (PutRecords carries 821,880 log records in the 17-hour outage; GetRecords reads them all
 * back). Each converts an SDK input to exactly the object the sandbox would get from JSON.parse of
 * the body the SDK's serializer writes, and the sandbox's output object to exactly what the SDK's
 * deserializer would return from JSON text of it, so the text and the SDK's schema walk over every
 * record are skipped (see in-process-lane.ts). They are written by hand because the SDK's schema
 * serde is exactly the per-record cost being avoided; test/aws/in-process-lane.test.ts proves them
 * equal to it.
 *
 * An encoder or decoder that meets a value it was not written for answers undefined, and the call
 * then takes the SDK's own serializer or deserializer: exactness first, speed where it is safe.
 *
 * Blobs (a Kinesis record's Data) are the one exception to "exactly the parsed JSON": they travel
 * as bytes both ways, where the wire carries base64 text. The sandbox's Kinesis keeps a record as
 * its bytes, takes Data as base64 text or bytes, and answers bytes (written as base64 when its
 * answer is turned into JSON text), so on the lane a record is never encoded to base64 and decoded
 * again (four passes over every byte).
 */

type Obj = Record<string, unknown>;

export interface OperationCodec {
  /** The object the sandbox would parse from the SDK's request body; undefined leaves the call to the SDK's serializer. */
  encode(input: Obj): Obj | undefined;
  /** The SDK's output for this answer, without $metadata; undefined leaves it to the SDK's deserializer. */
  decode(output: unknown): Obj | undefined;
}

/** Thrown inside a codec when a value is not of the kind it handles; turned into undefined at the top. */
const DECLINE = Symbol("decline");

function declines<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  }
}

function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The SDK's serializer writes extra members of a struct that has a string `__type` (and only then),
 * and an idempotency-token member when absent; neither occurs in the shapes below, so such an
 * input is declined rather than imitated.
 */
function structIn(v: unknown): Obj {
  if (!isPlainObject(v) || typeof v.__type === "string") throw DECLINE;
  return v;
}

// ---- request side: what JSON.parse(serialized body) gives -------------------------------------

function putString(out: Obj, name: string, v: unknown): void {
  if (v == null) return;
  if (typeof v !== "string") throw DECLINE;
  out[name] = v;
}

function putInteger(out: Obj, name: string, v: unknown): void {
  if (v == null) return;
  // NaN and the infinities travel as strings; anything else as its decimal text (-0 as "0").
  if (typeof v !== "number" || !Number.isFinite(v)) throw DECLINE;
  out[name] = v === 0 ? 0 : v;
}

function putBoolean(out: Obj, name: string, v: unknown): void {
  if (v == null) return;
  if (typeof v !== "boolean") throw DECLINE;
  out[name] = v;
}

/**
 * A blob given as bytes goes as bytes: a copy, so the request holds what the caller's array held
 * when the call was serialized, as the wire's text would (a string given for a blob would be UTF-8
 * encoded first: declined).
 */
function putBlob(out: Obj, name: string, v: unknown): void {
  if (v == null) return;
  if (!(v instanceof Uint8Array)) throw DECLINE;
  const copy = Buffer.allocUnsafe(v.byteLength);
  copy.set(v);
  out[name] = copy;
}

/** A copy: the sandbox's arrays may be its own state, and a JSON round trip never shares them. */
function stringList(v: unknown): string[] {
  if (!Array.isArray(v)) throw DECLINE;
  const out = new Array<string>(v.length);
  for (let k = 0; k < v.length; k++) {
    const s: unknown = v[k];
    if (typeof s !== "string") throw DECLINE;
    out[k] = s;
  }
  return out;
}

/** A timestamp as awsJson writes it (epoch seconds, the SDK's `getTime() / 1000`); only a valid Date is taken. */
function putEpochTimestamp(out: Obj, name: string, v: unknown): void {
  if (v == null) return;
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw DECLINE;
  out[name] = v.getTime() / 1000;
}

function putStruct(out: Obj, name: string, v: unknown, write: (o: Obj) => Obj): void {
  if (v == null) return;
  out[name] = write(structIn(v));
}

/** Each element of a list of structures through `item`; a hole or null element is declined. */
function structList(v: unknown, item: (o: Obj) => Obj): Obj[] {
  if (!Array.isArray(v)) throw DECLINE;
  const out = new Array<Obj>(v.length);
  for (let k = 0; k < v.length; k++) out[k] = item(structIn(v[k]));
  return out;
}

// ---- response side: what the SDK's deserializer makes of JSON text of the object ---------------

/** JSON text has no undefined, NaN or infinities: they arrive as absent or null, which the SDK skips. */
function absentInJson(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v));
}

function getString(out: Obj, name: string, v: unknown): void {
  if (absentInJson(v)) return;
  if (typeof v !== "string") throw DECLINE;
  out[name] = v;
}

function getNumber(out: Obj, name: string, v: unknown): void {
  if (absentInJson(v)) return;
  if (typeof v !== "number") throw DECLINE;
  out[name] = v === 0 ? 0 : v;
}

/** Epoch seconds to a Date, rounded to the millisecond as the SDK's parseEpochTimestamp does. */
function getEpochTimestamp(out: Obj, name: string, v: unknown): void {
  if (absentInJson(v)) return;
  if (typeof v !== "number") throw DECLINE;
  out[name] = new Date(Math.round(v * 1000));
}

/**
 * A blob as the SDK's fromBase64 returns it: a plain Uint8Array over the decoded bytes. Bytes (the
 * sandbox's Kinesis answers a record's data as bytes, see the top) are handed over as a view of
 * the same memory, which the sandbox copied for this answer. Base64 text is decoded, but only
 * canonical base64 (what re-encodes to the same text): the SDK rejects some other texts that
 * Node would decode, so those take the SDK's path.
 */
function getBlob(out: Obj, name: string, v: unknown): void {
  if (absentInJson(v)) return;
  if (v instanceof Uint8Array) {
    out[name] = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return;
  }
  if (typeof v !== "string") throw DECLINE;
  const buffer = Buffer.from(v, "base64");
  if (buffer.toString("base64") !== v) throw DECLINE;
  out[name] = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function getStringList(out: Obj, name: string, v: unknown): void {
  if (absentInJson(v)) return;
  out[name] = stringList(v);
}

function getStructList(out: Obj, name: string, v: unknown, item: (o: Obj) => Obj): void {
  if (absentInJson(v)) return;
  out[name] = structList(v, item);
}

function getStruct(out: Obj, name: string, v: unknown, read: (o: Obj) => Obj): void {
  if (absentInJson(v)) return;
  out[name] = read(structIn(v));
}

/** A list of numbers as the SDK reads it from JSON; a null or non-finite element (JSON has none, or writes null) is declined. */
function numberList(v: unknown, each: (n: number) => unknown): unknown[] {
  if (!Array.isArray(v)) throw DECLINE;
  const out = new Array<unknown>(v.length);
  for (let k = 0; k < v.length; k++) {
    const n: unknown = v[k];
    if (typeof n !== "number" || !Number.isFinite(n)) throw DECLINE;
    out[k] = each(n);
  }
  return out;
}

const asNumber = (n: number): number => (n === 0 ? 0 : n);
const asEpochDate = (n: number): Date => new Date(Math.round(n * 1000));

// ---- the operations (members in the order of each shape in the service model) ------------------

const putRecords: OperationCodec = {
  encode: (input) =>
    declines(() => {
      const i = structIn(input);
      const out: Obj = {};
      if (i.Records != null) {
        out.Records = structList(i.Records, (e) => {
          const entry: Obj = {};
          putBlob(entry, "Data", e.Data);
          putString(entry, "ExplicitHashKey", e.ExplicitHashKey);
          putString(entry, "PartitionKey", e.PartitionKey);
          return entry;
        });
      }
      putString(out, "StreamName", i.StreamName);
      putString(out, "StreamARN", i.StreamARN);
      putString(out, "StreamId", i.StreamId);
      putBoolean(out, "DryRun", i.DryRun);
      return out;
    }),
  decode: (output) =>
    declines(() => {
      const o = structIn(output);
      const out: Obj = {};
      getStructList(out, "Records", o.Records, (r) => {
        const entry: Obj = {};
        getString(entry, "SequenceNumber", r.SequenceNumber);
        getString(entry, "ShardId", r.ShardId);
        getString(entry, "ErrorCode", r.ErrorCode);
        getString(entry, "ErrorMessage", r.ErrorMessage);
        return entry;
      });
      getNumber(out, "FailedRecordCount", o.FailedRecordCount);
      getString(out, "EncryptionType", o.EncryptionType);
      return out;
    }),
};

const getRecords: OperationCodec = {
  encode: (input) =>
    declines(() => {
      const i = structIn(input);
      const out: Obj = {};
      putString(out, "ShardIterator", i.ShardIterator);
      putInteger(out, "Limit", i.Limit);
      putString(out, "StreamARN", i.StreamARN);
      putString(out, "StreamId", i.StreamId);
      putBoolean(out, "DryRun", i.DryRun);
      return out;
    }),
  decode: (output) =>
    declines(() => {
      const o = structIn(output);
      const out: Obj = {};
      getStructList(out, "Records", o.Records, (r) => {
        const record: Obj = {};
        getString(record, "SequenceNumber", r.SequenceNumber);
        getBlob(record, "Data", r.Data);
        getEpochTimestamp(record, "ApproximateArrivalTimestamp", r.ApproximateArrivalTimestamp);
        getString(record, "PartitionKey", r.PartitionKey);
        getString(record, "EncryptionType", r.EncryptionType);
        return record;
      });
      getString(out, "NextShardIterator", o.NextShardIterator);
      getNumber(out, "MillisBehindLatest", o.MillisBehindLatest);
      getStructList(out, "ChildShards", o.ChildShards, (c) => {
        const child: Obj = {};
        getString(child, "ShardId", c.ShardId);
        getStringList(child, "ParentShards", c.ParentShards);
        getStruct(child, "HashKeyRange", c.HashKeyRange, (h) => {
          const range: Obj = {};
          getString(range, "StartingHashKey", h.StartingHashKey);
          getString(range, "EndingHashKey", h.EndingHashKey);
          return range;
        });
        return child;
      });
      return out;
    }),
};

const listTasks: OperationCodec = {
  encode: (input) =>
    declines(() => {
      const i = structIn(input);
      const out: Obj = {};
      putString(out, "cluster", i.cluster);
      putString(out, "containerInstance", i.containerInstance);
      putString(out, "family", i.family);
      putString(out, "nextToken", i.nextToken);
      putInteger(out, "maxResults", i.maxResults);
      putString(out, "startedBy", i.startedBy);
      putString(out, "serviceName", i.serviceName);
      putString(out, "desiredStatus", i.desiredStatus);
      putString(out, "launchType", i.launchType);
      putString(out, "daemonName", i.daemonName);
      return out;
    }),
  decode: (output) =>
    declines(() => {
      const o = structIn(output);
      const out: Obj = {};
      getStringList(out, "taskArns", o.taskArns);
      getString(out, "nextToken", o.nextToken);
      return out;
    }),
};

/** CloudWatch's Dimension, Metric and MessageData shapes. */
function dimensionIn(d: Obj): Obj {
  const out: Obj = {};
  putString(out, "Name", d.Name);
  putString(out, "Value", d.Value);
  return out;
}

function messagesOut(out: Obj, name: string, v: unknown): void {
  getStructList(out, name, v, (m) => {
    const message: Obj = {};
    getString(message, "Code", m.Code);
    getString(message, "Value", m.Value);
    return message;
  });
}

/** The probes' load windows, SLO and edge reads (src/aws/load-window.ts and others): 53 calls in spot-interrupt. */
const getMetricData: OperationCodec = {
  encode: (input) =>
    declines(() => {
      const i = structIn(input);
      const out: Obj = {};
      if (i.MetricDataQueries != null) {
        out.MetricDataQueries = structList(i.MetricDataQueries, (q) => {
          const query: Obj = {};
          putString(query, "Id", q.Id);
          putStruct(query, "MetricStat", q.MetricStat, (m) => {
            const stat: Obj = {};
            putStruct(stat, "Metric", m.Metric, (metric) => {
              const o: Obj = {};
              putString(o, "Namespace", metric.Namespace);
              putString(o, "MetricName", metric.MetricName);
              if (metric.Dimensions != null) o.Dimensions = structList(metric.Dimensions, dimensionIn);
              return o;
            });
            putInteger(stat, "Period", m.Period);
            putString(stat, "Stat", m.Stat);
            putString(stat, "Unit", m.Unit);
            return stat;
          });
          putString(query, "Expression", q.Expression);
          putString(query, "Label", q.Label);
          putBoolean(query, "ReturnData", q.ReturnData);
          putInteger(query, "Period", q.Period);
          putString(query, "AccountId", q.AccountId);
          return query;
        });
      }
      putEpochTimestamp(out, "StartTime", i.StartTime);
      putEpochTimestamp(out, "EndTime", i.EndTime);
      putString(out, "NextToken", i.NextToken);
      putString(out, "ScanBy", i.ScanBy);
      putInteger(out, "MaxDatapoints", i.MaxDatapoints);
      putStruct(out, "LabelOptions", i.LabelOptions, (l) => {
        const options: Obj = {};
        putString(options, "Timezone", l.Timezone);
        return options;
      });
      return out;
    }),
  decode: (output) =>
    declines(() => {
      const o = structIn(output);
      const out: Obj = {};
      getStructList(out, "MetricDataResults", o.MetricDataResults, (r) => {
        const result: Obj = {};
        getString(result, "Id", r.Id);
        getString(result, "Label", r.Label);
        if (!absentInJson(r.Timestamps)) result.Timestamps = numberList(r.Timestamps, asEpochDate);
        if (!absentInJson(r.Values)) result.Values = numberList(r.Values, asNumber);
        getString(result, "StatusCode", r.StatusCode);
        messagesOut(result, "Messages", r.Messages);
        return result;
      });
      getString(out, "NextToken", o.NextToken);
      messagesOut(out, "Messages", o.Messages);
      return out;
    }),
};

/** Codecs by awsJson target ("<service target>.<Operation>"). */
export const IN_PROCESS_CODECS: ReadonlyMap<string, OperationCodec> = new Map([
  ["Kinesis_20131202.PutRecords", putRecords],
  ["Kinesis_20131202.GetRecords", getRecords],
  ["AmazonEC2ContainerServiceV20141113.ListTasks", listTasks],
  ["GraniteServiceVersion20100801.GetMetricData", getMetricData],
]);
