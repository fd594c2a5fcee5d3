/**
 * How far V8 lets the heap grow past what is live before it collects. On a machine with a lot of
 * memory V8 grows the old generation up to four times the live set between full collections; in a
 * long simulated run (the 17-hour Kinesis outage: some 150 MiB live) that headroom was most of the
 * process's peak RSS (560-700 MiB). A fixed factor keeps the heap near the live set, for more
 * CPU (the collector runs more often). Measured on the outage: set from the start, 1.3 gave
 * a 330 MiB peak (1.5: 360; 1.15: 317) for about 15% more CPU; set once the run is long (below),
 * 395 MiB, all of it from before the first full collection, and about 320 MiB after it.
 *
 * V8 reads the factor only when a full collection sets the next limit, and the collection that
 * shows the run is long has already set it at up to four times the live set: the outage's next
 * one came at 285 MiB of heap (a 418 MiB peak). So setting the factor is followed at once by one
 * full collection of our own, which sets the limit with it. With that, and the metric store
 * smaller, 1.3 gave the outage a 265 MiB peak for 10% more CPU than before, 1.5 a 278 MiB peak
 * for 2% more (runs side by side, with the in-process PutRecords lane; without it 1.5: 286 MiB).
 *
 * Set from inside the process (v8.setFlagsFromString) rather than on a node command line: V8 reads
 * the factor each time it sets the next limit, and re-executing the CLI with flags would cost every
 * command a second start-up. A factor the user gave node (`node --heap-growing-percent=0 …/chaos`
 * keeps V8's own choice) wins; NODE_OPTIONS cannot carry this flag.
 */
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The old generation may grow to this many percent above the live set before a full collection. */
export const HEAP_GROWING_PERCENT = 50;
/**
 * Live heap (after a full collection) from which a run counts as long. Short runs stay below it
 * and keep V8's own factor: set from the start, 1.3 cost spot-interrupt 13% more CPU (more full
 * collections while its modules load), for no memory it needed. The catalog's short runs keep
 * 30-35 MiB live; the outage leaves 47-57 MiB after its third full collection.
 */
export const LONG_RUN_LIVE_BYTES = 40 * 2 ** 20;

const FLAG = /--heap[-_]growing[-_]percent/;

/**
 * A full collection now. Node exposes no call for it without `--expose-gc` on its command line;
 * the flag set at run time makes V8 give `gc` to contexts created after it.
 */
export function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/**
 * Sets the factor once a full collection leaves LONG_RUN_LIVE_BYTES live, then collects so that
 * the factor sets the next limit, unless node was started with a factor; true when it will.
 * `set` and `collect` are for tests.
 */
export function keepHeapNearLiveSet(
  execArgv: readonly string[] = process.execArgv,
  set: (flags: string) => void = setFlagsFromString,
  collect: () => void = collectGarbage,
): boolean {
  if (execArgv.some((a) => FLAG.test(a))) return false;
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major || getHeapStatistics().used_heap_size < LONG_RUN_LIVE_BYTES) return;
    observer.disconnect();
    set(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    collect();
  });
  observer.observe({ entryTypes: ["gc"] });
  return true;
}
