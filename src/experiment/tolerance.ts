/**
 * Tolerances: parse what an experiment (or a probe's default) says, judge a value against it.
 */
import { formatPath, InvalidInputError, type DocPath, type InputError, type Tolerance } from "./model.js";
import { Problems } from "./problems.js";
import { unlocated, type Located } from "./source.js";
import { readTolerance } from "./tolerance-parse.js";

export { evaluateTolerance, describeTolerance, type Verdict } from "./tolerance-evaluate.js";
export { TOLERANCE_FORMS } from "./tolerance-parse.js";

/**
 * Parses a tolerance found at `at`. Throws InvalidInputError with every problem; pass `where`
 * (a loaded experiment has `file` and `positionOf`) to have them located in a file.
 */
export function parseTolerance(raw: unknown, at: DocPath, where?: Located | { file: string; positionOf: Located["positionOf"] }): Tolerance {
  const source: Located = where
    ? { file: where.file, positionOf: where.positionOf, keyPositionOf: "keyPositionOf" in where ? where.keyPositionOf : where.positionOf }
    : unlocated("(tolerance)");
  const problems = new Problems();
  const tolerance = readTolerance(raw, at, (path, expected, found) => problems.add(source, path, expected, found));
  problems.throwIfAny();
  if (!tolerance) {
    // readTolerance reports whenever it returns nothing; this guards that promise.
    const error: InputError = { file: source.file, path: formatPath(at), expected: "a tolerance", found: "nothing usable" };
    throw new InvalidInputError([error]);
  }
  return tolerance;
}
