/**
 * Object-lane codecs (in-process-lane.ts) compiled from an operation's SDK schema, for the awsJson
 * operations in SCHEMA_CODEC_OPERATIONS: what a DescribeServices answer needs (some sixty members
 * deep) is too much to write by hand as in-process-codecs.ts does for the record-heavy calls, and
 * the SDK's own schema walk is most of such a call's cost without an optimizing compiler (a
 * spot-interrupt run is over before TurboFan starts, src/cli/tiering.ts). The schema is walked
 * once per operation instead, into plain functions that do what the SDK's JSON serializer and
 * deserializer (@smithy/core 3.41 JsonShapeSerializer / JsonShapeDeserializer) do for the values
 * the sandbox and gameday's callers use: strings, numbers, booleans, epoch-second timestamps,
 * lists and structures, members in the schema's order.
 *
 * Anything else (a map, a blob, a document, a union, a big number, a timestamp format trait, a
 * media type, an idempotency token, a struct with a string `__type`, a null in a list, a value of
 * the wrong type) makes the codec decline the call, which then takes the SDK's own serializer or
 * deserializer: exactness first. test/aws/in-process-schema-codec.test.ts proves the answers
 * equal to the SDK's wire path, and pins the schema API it reads.
 */
import type { OperationCodec } from "./in-process-codecs.js";
import { smithyCore } from "./in-process-serde.js";

type Obj = Record<string, unknown>;

/** The operations compiled here: spot-interrupt's probes and faults read these by the dozen (counted with a preload, see the README). */
export const SCHEMA_CODEC_OPERATIONS: ReadonlySet<string> = new Set([
  "AmazonEC2ContainerServiceV20141113.DescribeServices",
  "AmazonEC2ContainerServiceV20141113.DescribeTasks",
  "AmazonEC2ContainerServiceV20141113.DescribeContainerInstances",
  "AmazonEC2ContainerServiceV20141113.ListContainerInstances",
  "GraniteServiceVersion20100801.DescribeAlarmHistory",
  "GraniteServiceVersion20100801.DescribeAlarms",
]);

/** What the compiler reads of @smithy/core's NormalizedSchema (pinned by the test). */
export interface Schema {
  getSchema(): unknown;
  getMergedTraits(): Record<string, unknown>;
  isStructSchema(): boolean;
  isUnionSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isBlobSchema(): boolean;
  isTimestampSchema(): boolean;
  isDocumentSchema(): boolean;
  isStringSchema(): boolean;
  isBooleanSchema(): boolean;
  isNumericSchema(): boolean;
  isBigIntegerSchema(): boolean;
  isBigDecimalSchema(): boolean;
  isIdempotencyToken(): boolean;
  getValueSchema(): Schema;
  structIterator(): Iterable<[string, Schema]>;
}
interface SchemaModule {
  NormalizedSchema: { of(schema: unknown): Schema };
}

/** Thrown inside a compiled codec when a value is not of the kind it handles; the call then takes the SDK's path. */
const DECLINE = Symbol("decline");
const decline = (): never => {
  throw DECLINE;
};

type Convert = (value: unknown) => unknown;

/** The SDK's default timestamp schema (4): awsJson writes and reads it as epoch seconds. */
const DEFAULT_TIMESTAMP = 4;

function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** JSON text has no undefined, NaN or infinities: they arrive as absent or null, which the SDK skips. */
function absentInJson(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v));
}

/** True for the schemas whose values the SDK passes through or converts as below; false declines. */
function plainScalar(ns: Schema): boolean {
  if (ns.isBigIntegerSchema() || ns.isBigDecimalSchema() || ns.isDocumentSchema() || ns.isBlobSchema()) return false;
  if (ns.isStringSchema() && ns.getMergedTraits().mediaType !== undefined) return false;
  return true;
}

/** One direction of a compiled codec: the converter of each schema, built on first need. */
class Compiler {
  private readonly cache = new Map<unknown, Convert>();

  constructor(private readonly side: "request" | "response") {}

  of(ns: Schema): Convert {
    // Only structures are kept by their schema: a scalar's or a list's schema can be a bare number
    // shared by members whose traits (a media type, say) differ.
    if (!ns.isStructSchema()) return this.compile(ns);
    const key = ns.getSchema();
    const known = this.cache.get(key);
    if (known) return known;
    // A recursive shape meets itself while it is compiled: it is then looked up when called.
    let compiled: Convert | undefined;
    this.cache.set(key, (v) => compiled!(v));
    compiled = this.compile(ns);
    this.cache.set(key, compiled);
    return compiled;
  }

  private compile(ns: Schema): Convert {
    if (ns.isUnionSchema() || ns.isMapSchema()) return decline;
    if (ns.isStructSchema()) return this.struct(ns);
    if (ns.isListSchema()) return this.list(ns.getValueSchema());
    if (!plainScalar(ns)) return decline;
    if (ns.isTimestampSchema()) return ns.getSchema() === DEFAULT_TIMESTAMP ? (this.side === "request" ? timestampIn : timestampOut) : decline;
    if (ns.isBooleanSchema()) return (v) => (typeof v === "boolean" ? v : decline());
    if (ns.isNumericSchema()) return numberValue;
    if (ns.isStringSchema()) return (v) => (typeof v === "string" ? v : decline());
    return decline;
  }

  private struct(ns: Schema): Convert {
    const members: [string, Convert][] = [];
    let needsToken = false;
    for (const [name, member] of ns.structIterator()) {
      if (this.side === "request" && member.isIdempotencyToken()) needsToken = true;
      members.push([name, this.of(member)]);
    }
    // The SDK writes an idempotency token of its own making when the caller gave none: declined.
    if (needsToken) return decline;
    const absent = this.side === "request" ? (v: unknown) => v === undefined || v === null : absentInJson;
    return (value) => {
      // A string `__type` makes the SDK copy the struct's other members too, both ways.
      if (!isPlainObject(value) || typeof value.__type === "string") decline();
      const record = value as Obj;
      const out: Obj = {};
      for (const [name, convert] of members) {
        const v = record[name];
        if (!absent(v)) out[name] = convert(v);
      }
      return out;
    };
  }

  private list(member: Schema): Convert {
    const convert = this.of(member);
    return (value) => {
      if (!Array.isArray(value)) decline();
      const list = value as unknown[];
      const out = new Array<unknown>(list.length);
      for (let k = 0; k < list.length; k++) {
        const v = list[k];
        // A null element stays null in the SDK's reading, and is written as null: left to it.
        if (absentInJson(v)) decline();
        out[k] = convert(v);
      }
      return out;
    };
  }
}

/** The SDK writes `String(n)` (NaN and infinities as strings) and reads numbers as they are; JSON has no -0. */
function numberValue(v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) decline();
  return (v as number) === 0 ? 0 : (v as number);
}

/** A Date as epoch seconds, the SDK's `getTime() / 1000` (an invalid Date is declined: the SDK would write NaN into the text). */
function timestampIn(v: unknown): number {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) decline();
  return (v as Date).getTime() / 1000;
}

/** Epoch seconds as the SDK's parseEpochTimestamp reads them: rounded to the millisecond. */
function timestampOut(v: unknown): Date {
  if (typeof v !== "number" || !Number.isFinite(v)) decline();
  return new Date(Math.round((v as number) * 1000));
}

function declining(convert: Convert): (value: unknown) => Obj | undefined {
  return (value) => {
    try {
      return convert(value) as Obj;
    } catch (err) {
      if (err === DECLINE) return undefined;
      throw err;
    }
  };
}

let schemaModule: SchemaModule | undefined;

/** The codec of one operation, compiled from its input and output schemas (the SDK's operation schema refs). */
export function compileCodec(operation: { input?: unknown; output?: unknown }, schema: SchemaModule = (schemaModule ??= smithyCore<SchemaModule>("schema"))): OperationCodec {
  const encode = declining(new Compiler("request").of(schema.NormalizedSchema.of(operation.input)));
  const decode = declining(new Compiler("response").of(schema.NormalizedSchema.of(operation.output)));
  return { encode: (input) => encode(input), decode: (output) => decode(output) };
}
