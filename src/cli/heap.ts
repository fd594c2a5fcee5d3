/**
 * How far V8 lets the heap grow past what is live before it collects. On a machine with a lot of
 * memory V8 grows the old generation up to four times the live set between full collections; in a
 * long simulated run (the 17-hour Kinesis outage: some 150 MiB live) that headroom was most of the
 * process's peak RSS (560-700 MiB). A fixed factor of 1.3 keeps the peak near the live set for a
 * few percent more CPU (the collector runs more often, over a heap that is mostly live anyway):
 * measured on the outage, 1.5 gave 360 MiB, 1.3 333 MiB for 4% more CPU, 1.15 317 MiB for 21%.
 *
 * Set from inside the process (v8.setFlagsFromString) rather than on a node command line: V8 reads
 * the factor each time it sets the next limit, and re-executing the CLI with flags would cost every
 * command a second start-up. A factor the user gave node (`node --heap-growing-percent=0 …/chaos`
 * restores V8's own choice) wins; NODE_OPTIONS cannot carry this flag.
 */
import { setFlagsFromString } from "node:v8";

/** The old generation may grow to this many percent above the live set before a full collection. */
export const HEAP_GROWING_PERCENT = 30;

const FLAG = /--heap[-_]growing[-_]percent/;

/** Sets the factor unless node was started with one; true when it set it. */
export function keepHeapNearLiveSet(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => FLAG.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
