/** `chaos describe <fault|probe>`: one fault's or probe's parameters, generated from its schema. */
import { ProbeLoadError, probeDirs } from "../engine/probe-loader.js";
import { suggestion } from "../experiment/describe.js";
import { usage } from "./errors.js";
import { referenceText } from "./reference-text.js";
import { faultReference, knownFaults, knownProbes, probeReference, type StepReference } from "./step-reference.js";

export async function describeCommand(name: string): Promise<number> {
  const dirs = probeDirs(process.cwd());
  const faults = knownFaults();
  const probes = knownProbes(dirs);
  const found: StepReference[] = [];
  if (faults.includes(name)) found.push((await faultReference(name))!);
  if (probes.includes(name)) {
    try {
      found.push(await probeReference(name, dirs));
    } catch (err) {
      // A probe file that does not load is the user's input to fix, not a toolkit failure.
      if (err instanceof ProbeLoadError) throw usage(err.message);
      throw err;
    }
  }
  if (found.length === 0) {
    throw usage(`no fault or probe named "${name}"${suggestion(name, [...faults, ...probes])}; faults: ${faults.join(", ")}; probes: ${probes.join(", ")}`);
  }
  process.stdout.write(found.map((r) => referenceText(r)).join("\n"));
  return 0;
}
