/**
 * The fault catalog. Modules are imported lazily so that commands which do not run faults stay fast.
 */
import type { FaultModule } from "./types.js";

const catalog: Record<string, () => Promise<{ default: FaultModule }>> = {
  "spot-interrupt": () => import("./spot-interrupt.js"),
  "task-kill": () => import("./task-kill.js"),
  drain: () => import("./drain.js"),
  "kinesis-throttle": () => import("./kinesis-throttle.js"),
  "kinesis-outage": () => import("./kinesis-outage.js"),
  deploy: () => import("./deploy.js"),
  "scale-in": () => import("./scale-in.js"),
  "lambda-delay": () => import("./lambda-delay.js"),
  "lambda-error": () => import("./lambda-error.js"),
  "lambda-throttle": () => import("./lambda-throttle.js"),
  "efs-latency": () => import("./efs-latency.js"),
  "efs-throughput-starvation": () => import("./efs-throughput-starvation.js"),
  "efs-mount-loss": () => import("./efs-mount-loss.js"),
};

export function faultNames(): string[] {
  return Object.keys(catalog);
}

export async function loadFault(name: string): Promise<FaultModule | undefined> {
  const load = catalog[name];
  return load ? (await load()).default : undefined;
}
