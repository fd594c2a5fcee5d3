/** The experiment format: loading, validation, variables, durations and tolerances. */
export { loadExperiment, parseExperiment, type LoadOptions } from "./loader.js";
export { experimentJsonSchema } from "./schema.js";
export { parseDuration, formatDuration } from "./duration.js";
export { parseTolerance, evaluateTolerance, describeTolerance, type Verdict } from "./tolerance.js";
export { normaliseHypothesisStrategy, normaliseRollbackStrategy, normaliseProbeMode } from "./strategies.js";
export { splitVarOption } from "./var-files.js";
export * from "./model.js";
