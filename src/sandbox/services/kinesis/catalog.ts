/**
 * The account's streams in this region, and how a request names one: StreamName, StreamARN, or
 * both (which must agree). Lookups raise the errors Kinesis raises for a missing stream or one in
 * the wrong state.
 */
import type { Kernel } from "../../kernel.js";
import { invalidArgument, streamInUse, streamNotFound } from "./errors.js";
import { optionalString } from "./input.js";
import type { Stream, StreamStatus } from "./stream.js";

/**
 * What a call needs of the stream's state: `any` (Describe), `data` (reads and writes work while
 * ACTIVE or UPDATING; otherwise the stream is "not found"), `idle` (a change needs ACTIVE).
 */
export type StreamUse = "any" | "data" | "idle";

export class StreamCatalog {
  private readonly streams = new Map<string, Stream>();

  constructor(readonly kernel: Kernel) {}

  get account(): string {
    return this.kernel.accountId;
  }

  arnOf(name: string): string {
    return this.kernel.arn("kinesis", `stream/${name}`);
  }

  /** Streams in name order, as ListStreams returns them. */
  all(): Stream[] {
    return [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Stream | undefined {
    return this.streams.get(name);
  }

  add(stream: Stream): void {
    this.streams.set(stream.name, stream);
  }

  remove(stream: Stream): void {
    if (this.streams.get(stream.name) === stream) this.streams.delete(stream.name);
  }

  /** The stream name in a Kinesis stream ARN of this account and region, or undefined. */
  nameFromArn(arn: string): string | undefined {
    const m = /^arn:aws[\w-]*:kinesis:([\w-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/.exec(arn);
    if (!m) throw invalidArgument(`StreamARN '${arn}' is not a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>).`);
    return m[1] === this.kernel.region && m[2] === this.account ? m[3] : undefined;
  }

  /** The stream a request's StreamName / StreamARN names. */
  resolve(input: Record<string, unknown>, use: StreamUse): Stream {
    const name = optionalString(input, "StreamName");
    const arn = optionalString(input, "StreamARN");
    if (name === undefined && arn === undefined) throw invalidArgument("Either StreamName or StreamARN should be provided.");
    let resolved = name;
    if (arn !== undefined) {
      const fromArn = this.nameFromArn(arn);
      if (name !== undefined && fromArn !== name) throw invalidArgument(`StreamARN ${arn} and StreamName ${name} name different streams.`);
      if (fromArn === undefined) throw streamNotFound(arn, this.account);
      resolved = fromArn;
    }
    const stream = this.streams.get(resolved!);
    if (!stream) throw streamNotFound(resolved!, this.account);
    this.check(stream, use);
    return stream;
  }

  check(stream: Stream, use: StreamUse): void {
    const usable: Record<StreamUse, readonly StreamStatus[]> = {
      any: ["CREATING", "ACTIVE", "UPDATING", "DELETING"],
      data: ["ACTIVE", "UPDATING"],
      idle: ["ACTIVE"],
    };
    if (usable[use].includes(stream.status)) return;
    if (use === "data") throw streamNotFound(stream.name, this.account);
    throw streamInUse(stream.name, this.account, stream.status);
  }
}
