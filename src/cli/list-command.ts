/**
 * `chaos list`: the experiment catalog, then the probes and faults experiments can use; with
 * --verbose, each fault's and probe's parameters as `chaos describe` prints them.
 */
import { listExperiments } from "./catalog.js";

export async function listCommand(options: { verbose?: boolean } = {}): Promise<number> {
  const cwd = process.cwd();
  const experiments = listExperiments(cwd);
  const width = Math.max(10, ...experiments.map((e) => e.name.length));
  process.stdout.write("experiments\n");
  for (const e of experiments) process.stdout.write(`  ${e.name.padEnd(width)}  ${e.title}${e.source === "local" ? "  (./experiments)" : ""}\n`);
  const { listProbes, probeDirs } = await import("../engine/probe-loader.js");
  const { faultNames } = await import("../faults/index.js");
  const dirs = probeDirs(cwd);
  if (!options.verbose) {
    process.stdout.write(`\nprobes\n  ${listProbes(dirs).join(", ")}\n\nfaults\n  ${faultNames().join(", ")}\n`);
    return 0;
  }
  const { faultReference, probeReference } = await import("./step-reference.js");
  const { referenceText } = await import("./reference-text.js");
  process.stdout.write("\nprobes\n");
  for (const name of listProbes(dirs)) {
    // One probe file that does not load should not hide the others.
    const text = await probeReference(name, dirs).then(
      (ref) => referenceText(ref, "  "),
      (err: unknown) => `  ${name} (probe)\n    could not load: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.stdout.write(`\n${text}`);
  }
  process.stdout.write("\nfaults\n");
  for (const name of faultNames()) process.stdout.write(`\n${referenceText((await faultReference(name))!, "  ")}`);
  return 0;
}
