/**
 * `chaos describe <fault|probe>`: one fault's or probe's parameters, generated from its schema. A
 * name that is (also) an experiment of the catalog says so and where its plan is, since `chaos
 * list` shows experiments and a user naturally describes one of them next.
 */
import { ProbeLoadError, probeDirs } from "../engine/probe-loader.js";
import { suggestion } from "../experiment/describe.js";
import { usage } from "./errors.js";
import { findInCatalog } from "./catalog.js";
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
  const experiment = findInCatalog(name, process.cwd()) !== undefined;
  const plan = `chaos run ${name} --dry prints its plan, chaos validate ${name} checks it`;
  if (found.length === 0) {
    if (experiment) throw usage(`"${name}" is an experiment (chaos list), not a fault or probe: ${plan}; chaos describe takes a fault or probe: faults: ${faults.join(", ")}; probes: ${probes.join(", ")}`);
    throw usage(`no fault or probe named "${name}"${suggestion(name, [...faults, ...probes])}; faults: ${faults.join(", ")}; probes: ${probes.join(", ")}`);
  }
  process.stdout.write(found.map((r) => referenceText(r)).join("\n"));
  if (experiment) process.stdout.write(`\n"${name}" is also an experiment (chaos list): ${plan}.\n`);
  return 0;
}
