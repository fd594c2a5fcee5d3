/**
 * Execution environments of one function: created on a cold start (runtime init, then the EFS
 * mount through the AZ's mount target, one NFS connection each), reused while warm, discarded
 * after a timeout or an NFS failure, and reclaimed after sitting idle.
 */
import type { EfsFileSystem } from "../efs/file-system.js";
import { NfsError } from "../efs/file-system.js";
import { efsMountConnectivity, efsMountFailure, efsMountTimeout } from "./errors.js";

/** Lambda's init phase limit (10 s, lambda-runtime-environment.html): a mount that takes longer fails the cold start. */
export const INIT_LIMIT_MS = 10_000;
/** NFS round trips of a mount (EXCHANGE_ID/CREATE_SESSION, PUTROOTFH+LOOKUP of the access point, GETATTR): a modelling choice. */
const MOUNT_ROUND_TRIPS = 3;

export interface ExecutionEnvironment {
  id: string;
  az: string;
  state: Map<string, unknown>;
  lastUsed: number;
  invocations: number;
}

export interface Mount {
  fileSystem: EfsFileSystem;
}

export class Environments {
  private readonly idle: ExecutionEnvironment[] = [];
  private created = 0;

  constructor(
    private readonly functionName: string,
    private readonly zones: readonly string[],
    readonly mount: Mount | undefined,
    private readonly now: () => number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Whether an NFS client id is one of this function's environments (what a fault on the function's NFS traffic narrows to). */
  owns(clientId: string): boolean {
    return clientId.startsWith(`${this.functionName}/env-`);
  }

  /** A warm environment if one is idle (the most recently used first), else undefined. */
  takeWarm(): ExecutionEnvironment | undefined {
    this.reclaim();
    return this.idle.pop();
  }

  /**
   * Starts a new environment: returns it and how long its init takes (runtime init plus the EFS
   * mount), or throws the documented mount exception. `sleep` waits the sandbox's time.
   */
  async coldStart(initMs: number, sleep: (ms: number) => Promise<void>): Promise<ExecutionEnvironment> {
    const n = this.created++;
    const env: ExecutionEnvironment = { id: `${this.functionName}/env-${n + 1}`, az: this.zones[n % this.zones.length]!, state: new Map(), lastUsed: this.now(), invocations: 0 };
    await sleep(initMs);
    if (this.mount) {
      const fs = this.mount.fileSystem;
      let mountMs = 0;
      try {
        fs.mount(env.id, env.az);
        for (let i = 0; i < MOUNT_ROUND_TRIPS; i++) mountMs += fs.operate(env.id, "stat");
      } catch (err) {
        fs.unmount(env.id);
        if (err instanceof NfsError && err.reason === "too-many-connections") throw efsMountFailure(`${this.functionName}: ${err.message}`);
        if (err instanceof NfsError) throw efsMountConnectivity(`${this.functionName} could not connect to file system ${fs.id} from ${env.az}: ${err.message}`);
        throw err;
      }
      if (initMs + mountMs > INIT_LIMIT_MS) {
        await sleep(Math.max(0, INIT_LIMIT_MS - initMs));
        fs.unmount(env.id);
        throw efsMountTimeout(`${this.functionName}: mounting ${fs.id} did not finish within the ${INIT_LIMIT_MS / 1000} s init phase (it needed ${Math.round(mountMs)} ms)`);
      }
      await sleep(mountMs);
    }
    return env;
  }

  /** Back to the pool after an invocation that left it usable. */
  release(env: ExecutionEnvironment): void {
    env.lastUsed = this.now();
    this.idle.push(env);
  }

  /** Gone for good (a timeout, an NFS failure): its NFS connection closes. */
  discard(env: ExecutionEnvironment): void {
    this.mount?.fileSystem.unmount(env.id);
  }

  /** Drops environments idle longer than the idle timeout. */
  reclaim(): void {
    const now = this.now();
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const env = this.idle[i]!;
      if (now - env.lastUsed >= this.idleTimeoutMs) {
        this.idle.splice(i, 1);
        this.discard(env);
      }
    }
  }

  get idleCount(): number {
    return this.idle.length;
  }
}
