/**
 * How far V8 lets the heap grow past what is live before it collects. On a machine with a lot of
 * memory V8 grows the old generation up to four times the live set between full collections; in a
 * long simulated run (the 17-hour Kinesis outage: some 150 MiB live) that headroom was most of the
 * process's peak RSS (560-700 MiB). A fixed factor of 1.3 keeps the heap near the live set, for
 * more CPU (the collector runs more often). Measured on the outage: set from the start, 1.3 gave
 * a 330 MiB peak (1.5: 360; 1.15: 317) for about 15% more CPU; set once the run is long (below),
 * 395 MiB, all of it from before the first full collection, and about 320 MiB after it.
 *
 * Set from inside the process (v8.setFlagsFromString) rather than on a node command line: V8 reads
 * the factor each time it sets the next limit, and re-executing the CLI with flags would cost every
 * command a second start-up. A factor the user gave node (`node --heap-growing-percent=0 …/chaos`
 * keeps V8's own choice) wins; NODE_OPTIONS cannot carry this flag.
 */
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";

/** The old generation may grow to this many percent above the live set before a full collection. */
export const HEAP_GROWING_PERCENT = 30;
/**
 * Live heap (after a full collection) from which a run counts as long. Short runs stay below it
 * and keep V8's own factor: set from the start, 1.3 cost spot-interrupt 13% more CPU (more full
 * collections while its modules load), for no memory it needed.
 */
export const LONG_RUN_LIVE_BYTES = 64 * 2 ** 20;

const FLAG = /--heap[-_]growing[-_]percent/;

/**
 * Sets the factor once a full collection leaves LONG_RUN_LIVE_BYTES live, unless node was started
 * with one; true when it will. `set` is for tests.
 */
export function keepHeapNearLiveSet(execArgv: readonly string[] = process.execArgv, set: (flags: string) => void = setFlagsFromString): boolean {
  if (execArgv.some((a) => FLAG.test(a))) return false;
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major || getHeapStatistics().used_heap_size < LONG_RUN_LIVE_BYTES) return;
    observer.disconnect();
    set(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });
  observer.observe({ entryTypes: ["gc"] });
  return true;
}
