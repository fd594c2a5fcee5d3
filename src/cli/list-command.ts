/** `chaos list`: the experiment catalog, then the probes and faults experiments can use. */
import { listExperiments } from "./catalog.js";

export async function listCommand(): Promise<number> {
  const cwd = process.cwd();
  const experiments = listExperiments(cwd);
  const width = Math.max(10, ...experiments.map((e) => e.name.length));
  process.stdout.write("experiments\n");
  for (const e of experiments) process.stdout.write(`  ${e.name.padEnd(width)}  ${e.title}${e.source === "local" ? "  (./experiments)" : ""}\n`);
  const { listProbes, probeDirs } = await import("../engine/probe-loader.js");
  const { faultNames } = await import("../faults/index.js");
  process.stdout.write(`\nprobes\n  ${listProbes(probeDirs(cwd)).join(", ")}\n\nfaults\n  ${faultNames().join(", ")}\n`);
  return 0;
}
