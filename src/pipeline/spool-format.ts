/**
 * The on-disk frame of one spooled record. Length-prefixed rather than NDJSON so that any bytes
 * survive (a record may hold newlines), and checksummed so that a torn tail after a power loss or a
 * flipped bit is detected instead of being shipped as garbage.
 *
 *   u32 LE  payload length
 *   u32 LE  CRC-32 of the payload (zlib.crc32)
 *   payload:
 *     u8      flags (bit 0: a send of it timed out, so a resend may duplicate; bit 1: random key)
 *     f64 LE  acceptedAt, ms since the epoch on the shipper's clock
 *     u16 LE  partition key length in bytes
 *     ...     partition key (UTF-8)
 *     ...     data (the stamped JSON line)
 */
import { crc32 } from "node:zlib";

export const FRAME_HEADER_BYTES = 8;
const PAYLOAD_FIXED_BYTES = 1 + 8 + 2;
const FLAG_AMBIGUOUS = 1;
const FLAG_RANDOM_KEY = 2;

/** What is spooled. The data may be given as text, written as its UTF-8 bytes (no copy of them made first). */
export interface SpoolEntry {
  data: Uint8Array | string;
  key: string;
  acceptedAt: number;
  ambiguous: boolean;
  randomKey: boolean;
}

/** A spooled record as read back: its data as bytes. */
export interface FrameEntry extends SpoolEntry {
  data: Uint8Array;
}

/** Bytes `entry` takes on disk. */
export function frameSize(entry: SpoolEntry): number {
  return FRAME_HEADER_BYTES + PAYLOAD_FIXED_BYTES + Buffer.byteLength(entry.key) + dataBytes(entry.data);
}

/** Bytes of a record's data: text counts as UTF-8. */
export function dataBytes(data: Uint8Array | string): number {
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
}

/** Writes the frame of `entry` into `out` at `offset` (room for frameSize(entry) there); returns the offset after it. */
export function writeFrame(entry: SpoolEntry, out: Buffer, offset: number): number {
  const payloadStart = offset + FRAME_HEADER_BYTES;
  let p = payloadStart;
  out[p] = (entry.ambiguous ? FLAG_AMBIGUOUS : 0) | (entry.randomKey ? FLAG_RANDOM_KEY : 0);
  out.writeDoubleLE(entry.acceptedAt, p + 1);
  const keyBytes = out.write(entry.key, p + PAYLOAD_FIXED_BYTES, "utf8");
  out.writeUInt16LE(keyBytes, p + 9);
  p += PAYLOAD_FIXED_BYTES + keyBytes;
  const data = entry.data;
  if (typeof data === "string") {
    p += out.write(data, p, "utf8");
  } else {
    out.set(data, p);
    p += data.length;
  }
  const payloadLength = p - payloadStart;
  out.writeUInt32LE(payloadLength, offset);
  out.writeUInt32LE(crc32(out.subarray(payloadStart, p)), offset + 4);
  return p;
}

/** One frame as a buffer of its own. */
export function encodeFrame(entry: SpoolEntry): Buffer {
  const out = Buffer.allocUnsafe(frameSize(entry));
  writeFrame(entry, out, 0);
  return out;
}

export type FrameRead =
  | { kind: "frame"; entry: FrameEntry; size: number }
  /** The buffer ends inside this frame: read more (or, at the end of the file, a torn tail). */
  | { kind: "incomplete"; needed: number }
  | { kind: "corrupt"; reason: string };

/** Decodes the frame starting at `offset` in `buf`. The entry's data is a copy (buf is reused). */
export function readFrame(buf: Buffer, offset: number, end: number, copyData = true): FrameRead {
  if (end - offset < FRAME_HEADER_BYTES) return { kind: "incomplete", needed: FRAME_HEADER_BYTES };
  const length = buf.readUInt32LE(offset);
  if (length < PAYLOAD_FIXED_BYTES) return { kind: "corrupt", reason: `payload length ${length} is below the minimum ${PAYLOAD_FIXED_BYTES}` };
  const size = FRAME_HEADER_BYTES + length;
  if (end - offset < size) return { kind: "incomplete", needed: size };
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, offset + size);
  const expected = buf.readUInt32LE(offset + 4);
  if (crc32(payload) !== expected) return { kind: "corrupt", reason: "checksum mismatch" };
  const flags = payload[0]!;
  const acceptedAt = payload.readDoubleLE(1);
  const keyLength = payload.readUInt16LE(9);
  if (PAYLOAD_FIXED_BYTES + keyLength > length) return { kind: "corrupt", reason: `key length ${keyLength} overruns the payload` };
  const key = payload.toString("utf8", PAYLOAD_FIXED_BYTES, PAYLOAD_FIXED_BYTES + keyLength);
  const raw = payload.subarray(PAYLOAD_FIXED_BYTES + keyLength);
  const data = copyData ? Buffer.from(raw) : raw;
  return {
    kind: "frame",
    size,
    entry: { data, key, acceptedAt, ambiguous: (flags & FLAG_AMBIGUOUS) !== 0, randomKey: (flags & FLAG_RANDOM_KEY) !== 0 },
  };
}
