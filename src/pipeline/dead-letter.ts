/**
 * Records Kinesis will never take (too large, or rejected as invalid) go to a dead-letter file,
 * one JSON object per line, so that nothing leaves the shipper silently. Each line says when, why,
 * and carries the record as text; the shipper counts them in metrics().deadLettered.
 *
 * Synchronous appends for the same reason as the spool (see spool.ts), and fsync after each write:
 * dead letters are rare and each one is evidence someone will want to read.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface DeadLetter {
  at: number;
  reason: "too-large" | "invalid";
  detail: string;
  partitionKey: string;
  data: Uint8Array;
}

export class DeadLetterFile {
  private fd: number | undefined;
  private readonly decoder = new TextDecoder();

  constructor(readonly file: string) {}

  /** Appends the records; returns how many were written (a failed write throws nothing, returns 0). */
  write(letters: readonly DeadLetter[], onError: (error: unknown) => void): number {
    if (letters.length === 0) return 0;
    const lines = letters
      .map((l) =>
        JSON.stringify({
          at: new Date(l.at).toISOString(),
          reason: l.reason,
          detail: l.detail,
          partitionKey: l.partitionKey,
          record: this.decoder.decode(l.data),
        }),
      )
      .join("\n");
    try {
      if (this.fd === undefined) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = fs.openSync(this.file, "a");
      }
      fs.writeSync(this.fd, `${lines}\n`);
      fs.fsyncSync(this.fd);
      return letters.length;
    } catch (error) {
      onError(error);
      return 0;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
