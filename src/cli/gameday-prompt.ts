/**
 * The facilitator at a terminal. Between checkpoints every line is a note. At a checkpoint the
 * first word answers (see readCheckpointLine): `y`/`yes` continues, `n`/`no` aborts, and the rest
 * of the line is kept as the answer's reason; a line that answers nothing is a note and the
 * question is asked again. `note <text>` is a note everywhere. The terminal stays in its ordinary
 * line mode, so Ctrl-C is a SIGINT to chaos gameday.
 */
import { createInterface, type Interface } from "node:readline";
import type { CheckpointAnswer, Facilitator } from "../schedule/gameday-run.js";

/**
 * An answer is its first word, case-insensitive, with a comma or colon after it allowed: y, yes,
 * continue; n, no, abort. Only a whole word counts: `nothing odd` and `note: ...` answer nothing.
 * The one-letter `c` and `a` answer only on their own (`a` starts too many sentences).
 */
const ANSWER = /^(y|yes|continue|n|no|abort)(?:[,:]\s*|\s+|$)(.*)$/is;
const BARE = /^(c|a)[,:]?$/i;

/** What a line typed at a checkpoint means: an answer (with the rest of the line as its reason), or a note. */
export function readCheckpointLine(line: string): CheckpointAnswer | { note: string } {
  const t = line.trim();
  const bare = BARE.exec(t);
  if (bare) return { answer: bare[1]!.toLowerCase() === "c" ? "continue" : "abort" };
  const m = ANSWER.exec(t);
  if (!m) return { note: noteText(t) };
  const answer = /^(y|yes|continue)$/i.test(m[1]!) ? "continue" : "abort";
  const reason = m[2]!.trim();
  return reason === "" ? { answer } : { answer, reason };
}

/** `note <text>` and `note: <text>` are notes, kept without the prefix; so is any other line, whole. */
export function noteText(line: string): string {
  return line.replace(/^\s*note(?::\s*|\s+)/i, "").trim();
}

const INPUT_ENDED: CheckpointAnswer = { answer: "abort", reason: "no answer can come (the terminal's input has ended)" };

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

  checkpoint(question: string, signal: AbortSignal): Promise<CheckpointAnswer> {
    return new Promise((resolve, reject) => {
      const ask = () => void this.output.write(`checkpoint: ${question} [y]es to continue, [n]o <why> to abort, or type a note: `);
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
        return resolve(INPUT_ENDED);
      }
      signal.addEventListener("abort", onAbort, { once: true });
      // End of input (Ctrl-D) at a checkpoint: nobody can answer, so nothing more runs.
      this.onClose = () => {
        finish();
        resolve(INPUT_ENDED);
      };
      this.pending = (line) => {
        const read = readCheckpointLine(line);
        if ("answer" in read) {
          finish();
          resolve(read);
        } else {
          this.note(read.note);
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
  checkpoint: () => Promise.resolve({ answer: "continue" }),
};
