/**
 * A reader that goes away (`chaos run … | head`, a terminal that hung up) must not end a run halfway. Node reports the
 * closed pipe as an 'error' event (EPIPE) on process.stdout; unhandled, it kills the process
 * before the rollbacks run, and exit 1 then reads as "deviated". From then on the stream's output
 * is dropped: the command finishes, a run undoes what it did, and the exit code is the verdict,
 * which the journal records as always. Any other error on the streams is thrown as before.
 */
export function dropOutputWhenReaderCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      // ERR_STREAM_DESTROYED: a write after the pipe closed, which the first EPIPE already explained.
      // EIO: the terminal hung up (closed, SSH dropped); a run still has its rollbacks to finish.
      if (err.code === "EPIPE" || err.code === "EIO" || err.code === "ERR_STREAM_DESTROYED") return;
      throw err;
    });
  }
}
