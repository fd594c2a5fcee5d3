/**
 * A fixed set of worker threads that each run one job at a time. Jobs go to whichever worker is
 * free; answers come back matched to their jobs, so callers see results in the order they asked.
 */
import { Worker } from "node:worker_threads";

export class WorkerPool<J, R> {
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: J; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: R) => void; reject: (e: unknown) => void; worker: Worker }>();
  private readonly workers: Worker[] = [];
  private nextId = 0;

  constructor(url: URL, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url);
      worker.on("message", (m: { id: number; result: R }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.resolve(m.result);
        this.release(worker);
      });
      worker.on("error", (err) => {
        for (const [id, p] of this.pending) {
          if (p.worker !== worker) continue;
          this.pending.delete(id);
          p.reject(err);
        }
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const worker = this.idle.pop();
      if (worker) this.send(worker, job, resolve, reject);
      else this.waiting.push({ job, resolve, reject });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private send(worker: Worker, job: J, resolve: (r: R) => void, reject: (e: unknown) => void): void {
    const id = this.nextId++;
    this.pending.set(id, { resolve, reject, worker });
    worker.postMessage({ id, job });
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) this.send(worker, next.job, next.resolve, next.reject);
    else this.idle.push(worker);
  }
}
