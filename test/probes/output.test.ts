/**
 * Built-in probes declare what they return, and their own default tolerances fit it: a default
 * that names a field the probe does not return would fail every run that relies on it.
 */
import { describe, expect, it } from "vitest";
import { listProbes, loadProbe, probeDirs } from "../../src/engine/probe-loader.js";
import { checkToleranceFits } from "../../src/experiment/tolerance-fit.js";
import { parseTolerance } from "../../src/experiment/tolerance.js";

const dirs = probeDirs("/nonexistent");

describe("built-in probes", () => {
  it.each(listProbes(dirs))("%s declares its output, and its default tolerance fits it", async (name) => {
    const probe = await loadProbe(name, dirs);
    expect(probe.output).toBeDefined();
    const misfits: string[] = [];
    if (probe.defaultTolerance !== undefined) {
      checkToleranceFits(parseTolerance(probe.defaultTolerance, []), probe.output!, name, (path, expected, found) => misfits.push(`${path.join(".")}: ${expected}, found ${found}`));
    }
    expect(misfits).toEqual([]);
  });
});
