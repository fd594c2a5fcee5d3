/**
 * `chaos schema`: the experiment format's JSON Schema with every fault's and probe's parameters
 * (including a team's own probes in ./probes), for editors.
 */
import { experimentJsonSchema } from "../experiment/index.js";
import { withStepParameters, type StepParameterSchemas } from "../experiment/step-parameters-schema.js";
import { probeDirs } from "../engine/probe-loader.js";
import { editorSchema, faultReference, knownFaults, knownProbes, probeReference } from "./step-reference.js";

export async function stepParameterSchemas(cwd: string): Promise<StepParameterSchemas> {
  const steps: StepParameterSchemas = { faults: {}, probes: {} };
  for (const name of knownFaults()) {
    const f = (await faultReference(name))!;
    steps.faults[name] = { description: f.description, with: editorSchema(f.withSchema), target: editorSchema(f.targetSchema!) };
  }
  const dirs = probeDirs(cwd);
  for (const name of knownProbes(dirs)) {
    try {
      const p = await probeReference(name, dirs);
      steps.probes[name] = { description: p.description, with: editorSchema(p.withSchema) };
    } catch (err) {
      // The schema is still useful without one broken probe; say which was left out.
      process.stderr.write(`chaos schema: probe "${name}" left out: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return steps;
}

export async function fullExperimentJsonSchema(cwd: string): Promise<Record<string, unknown>> {
  return withStepParameters(experimentJsonSchema(), await stepParameterSchemas(cwd));
}

export async function schemaCommand(): Promise<number> {
  process.stdout.write(JSON.stringify(await fullExperimentJsonSchema(process.cwd()), null, 2) + "\n");
  return 0;
}
