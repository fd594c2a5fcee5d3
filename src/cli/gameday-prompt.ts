/**
 * The facilitator at a terminal: every line typed during a step is a note (`n <text>` works too);
 * at a checkpoint `y` continues, `n` aborts, and anything else is a note and the question is asked
 * again. The terminal stays in its ordinary line mode, so Ctrl-C is a SIGINT to chaos gameday.
 */
import { createInterface, type Interface } from "node:readline";
import type { Facilitator } from "../schedule/gameday-run.js";

const CONTINUE = /^(y|yes|c|continue)$/i;
const ABORT = /^(n|no|a|abort)$/i;

/** `n <text>` and `note <text>` are notes; so is any other line. */
export function noteText(line: string): string {
  return line.replace(/^\s*(n|note):?\s+/i, "").trim();
}

export class TerminalFacilitator implements Facilitator {
  readonly mode = "interactive" as const;
  private readonly rl: Interface;
  private pending: ((line: string) => void) | undefined;
  private onClose: (() => void) | undefined;
  private closed = false;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly note: (text: string) => void,
  ) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on("line", (line) => {
      if (this.pending) this.pending(line);
      else this.note(noteText(line));
    });
    this.rl.on("close", () => {
      this.closed = true;
      this.onClose?.();
    });
    // A terminal that hung up fails its reads (EIO): that is the end of input, not a crash of the
    // game day, which still has its running step's rollbacks to wait for and its record to write.
    const ended = () => this.rl.close();
    this.rl.on("error", ended);
    input.on("error", ended);
  }

  checkpoint(question: string, signal: AbortSignal): Promise<"continue" | "abort"> {
    return new Promise((resolve, reject) => {
      const ask = () => void this.output.write(`checkpoint: ${question} [y]es to continue, [n]o to abort, or type a note: `);
      const finish = () => {
        this.pending = undefined;
        this.onClose = undefined;
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        finish();
        this.output.write("\n");
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      if (this.closed) {
        this.output.write(`checkpoint: ${question} no answer can come (the terminal's input has ended): aborting\n`);
        return resolve("abort");
      }
      signal.addEventListener("abort", onAbort, { once: true });
      // End of input (Ctrl-D) at a checkpoint: nobody can answer, so nothing more runs.
      this.onClose = () => {
        finish();
        resolve("abort");
      };
      this.pending = (line) => {
        const t = line.trim();
        if (CONTINUE.test(t)) {
          finish();
          resolve("continue");
        } else if (ABORT.test(t)) {
          finish();
          resolve("abort");
        } else {
          this.note(noteText(t));
          ask();
        }
      };
      ask();
    });
  }

  close(): void {
    this.rl.close();
  }
}

/** Unattended (--auto): every checkpoint continues. */
export const autoFacilitator: Facilitator = {
  mode: "auto",
  checkpoint: () => Promise.resolve("continue"),
};
