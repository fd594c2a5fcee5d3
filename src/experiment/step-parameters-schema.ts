/**
 * Adds each fault's and probe's `with:` (and a fault's `target:`) to the experiment's JSON Schema,
 * keyed on the step's `fault:`/`probe:` name with if/then, so that editors (yaml-language-server)
 * complete and check parameters the way `chaos validate` does. The parameter schemas come from the
 * modules' own zod schemas (the CLI gathers them: this module knows no faults or probes).
 */

type JsonSchema = Record<string, unknown>;

export interface StepParameterSchemas {
  faults: Record<string, { description: string; with: JsonSchema; target: JsonSchema }>;
  probes: Record<string, { description: string; with: JsonSchema }>;
}

const SUBSTITUTION: JsonSchema = {
  type: "string",
  pattern: "^\\$\\{[^}]+\\}$",
  description: "A ${name} substitution from configuration, secrets or the environment; checked once substituted.",
};

/** Any parameter may be written as `${name}`: its value, with its type, arrives before validation. */
function allowSubstitution(object: JsonSchema): JsonSchema {
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const wrapped = Object.fromEntries(
    Object.entries(properties).map(([name, node]) => {
      const { description, default: fallback, ...rest } = node;
      return [name, { ...(description !== undefined ? { description } : {}), ...(fallback !== undefined ? { default: fallback } : {}), anyOf: [rest, { $ref: "#/$defs/Substitution" }] }];
    }),
  );
  return { ...object, properties: wrapped };
}

function keyedOn(key: string, name: string, then: JsonSchema): JsonSchema {
  return { if: { properties: { [key]: { const: name } }, required: [key] }, then: { properties: then } };
}

export function withStepParameters(base: JsonSchema, steps: StepParameterSchemas): JsonSchema {
  const schema = structuredClone(base);
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  schema.$defs = defs;
  const faultStep = defs.FaultStep;
  const probeStep = defs.ProbeStep;
  if (!faultStep || !probeStep) throw new Error("the experiment schema has no FaultStep or ProbeStep definition");
  defs.Substitution = SUBSTITUTION;

  const faultNames = Object.keys(steps.faults);
  const faultProperties = faultStep.properties as Record<string, JsonSchema>;
  // The fault catalog is closed: a name outside it is an error, as `chaos validate` says.
  faultProperties.fault = { ...faultProperties.fault, enum: faultNames };
  faultStep.allOf = faultNames.map((name) => {
    const f = steps.faults[name]!;
    return keyedOn("fault", name, { with: { ...allowSubstitution(f.with), description: f.description }, target: allowSubstitution(f.target) });
  });

  const probeNames = Object.keys(steps.probes);
  const probeProperties = probeStep.properties as Record<string, JsonSchema>;
  // A team's own probes in ./probes are valid too: the names are suggestions, not a closed list.
  probeProperties.probe = { ...probeProperties.probe, examples: probeNames };
  probeStep.allOf = probeNames.map((name) => keyedOn("probe", name, { with: { ...allowSubstitution(steps.probes[name]!.with), description: steps.probes[name]!.description } }));
  return schema;
}
