/** Shared by the experiment tests: load text and collect the errors it produces. */
import { expect } from "vitest";
import { parseExperiment, type LoadOptions } from "../../src/experiment/loader.js";
import { InvalidInputError, type InputError, type LoadedExperiment } from "../../src/experiment/model.js";

export const FIXTURES = new URL("../../fixtures/experiments/", import.meta.url).pathname;

/** The errors a text produces; fails the test when it loads. */
export function errorsOf(text: string, file = "exp.yaml", options: LoadOptions = { env: {} }): InputError[] {
  let loaded: LoadedExperiment;
  try {
    loaded = parseExperiment(text, file, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).errors;
  }
  throw new Error(`expected errors, but it loaded: ${JSON.stringify(loaded.experiment).slice(0, 200)}`);
}

/** The one error at `path`; fails the test when there is none or several. */
export function errorAt(errors: InputError[], path: string): InputError {
  const matching = errors.filter((e) => e.path === path);
  expect(matching, `errors at ${path} among ${JSON.stringify(errors, null, 1)}`).toHaveLength(1);
  return matching[0] as InputError;
}

/** A minimal valid experiment around the given method lines (YAML, indented by two). */
export function withMethod(methodYaml: string, head = ""): string {
  return `title: t\n${head}method:\n${methodYaml}`;
}
