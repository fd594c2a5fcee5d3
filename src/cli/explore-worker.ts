/**
 * A `chaos explore` worker thread: runs the candidates it is sent, one at a time, each on its own
 * embedded sandbox (explore-candidate.ts), and answers with their verdicts.
 */
import { parentPort } from "node:worker_threads";
import { runCandidate, type CandidateJob } from "./explore-candidate.js";

parentPort!.on("message", (message: { id: number; job: CandidateJob }) => {
  void runCandidate(message.job).then((result) => parentPort!.postMessage({ id: message.id, result }));
});
