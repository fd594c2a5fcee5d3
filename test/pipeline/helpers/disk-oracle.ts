/**
 * Reads the spool directory the way an operator's tool would, independently of src/pipeline:
 * every whole, checksummed frame of every segment file. The model test uses it as the oracle for
 * "this record is on disk". The layout is the documented one (src/pipeline/spool-format.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "node:zlib";

export function recordsOnDisk(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => /^seg-\d{12}\.spool$/.test(f)).sort()) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path.join(dir, name));
    } catch {
      continue;
    }
    let at = 0;
    while (at + 8 <= buf.length) {
      const length = buf.readUInt32LE(at);
      if (at + 8 + length > buf.length) break;
      const payload = buf.subarray(at + 8, at + 8 + length);
      if (crc32(payload) !== buf.readUInt32LE(at + 4)) break;
      const keyLength = payload.readUInt16LE(9);
      out.push(payload.subarray(11 + keyLength).toString("utf8"));
      at += 8 + length;
    }
  }
  return out;
}
