/**
 * `chaos explore --var/--var-file`: the values given from outside become part of the replay file,
 * so that `chaos run <replay>` reproduces the failure without them. Configuration values are
 * written into its `configuration` as the run resolved them; secrets never are (a replay file is an
 * ordinary file in .gameday/): a var file that brings secrets or environment stays on the replay
 * command line, and a --var carrying a secret is left for the user to give again.
 */
import { readFileSync } from "node:fs";
import { Problems } from "../experiment/problems.js";
import { readVarFile } from "../experiment/var-files.js";
import type { LoadedExperiment } from "../experiment/model.js";

export interface WrittenVars {
  /** Configuration entries to write into the replay file, resolved. */
  configuration: Record<string, unknown>;
  /** Var files the replay still needs (their secrets or environment are not written down). */
  varFilesForReplay: string[];
  /** --var names whose values carry a secret: not written, to be given again. */
  secretVars: string[];
}

/** A --var key is `name` or `name:type`. */
function nameOf(key: string): string {
  const colon = key.indexOf(":");
  return colon < 0 ? key : key.slice(0, colon);
}

export function varsToWrite(loaded: LoadedExperiment, vars: Record<string, string>, varFiles: string[]): WrittenVars {
  const out: WrittenVars = { configuration: {}, varFilesForReplay: [], secretVars: [] };
  const resolved = loaded.experiment.configuration;
  const carriesSecret = (value: unknown) => loaded.secretValues.some((secret) => JSON.stringify(value ?? null).includes(secret));
  const write = (name: string) => {
    if (!Object.hasOwn(resolved, name)) return;
    if (carriesSecret(resolved[name])) return void out.secretVars.push(name);
    Object.defineProperty(out.configuration, name, { value: resolved[name], enumerable: true, writable: true, configurable: true });
  };
  for (const file of varFiles) {
    // The loader has read and checked these already: problems here were reported there.
    const read = readVarFile(file, readFileSync(file, "utf8"), new Problems());
    for (const e of read.configuration) write(e.name);
    if (read.secrets.length > 0 || Object.keys(read.env).length > 0) out.varFilesForReplay.push(file);
  }
  for (const key of Object.keys(vars)) write(nameOf(key));
  return out;
}

/** The experiment document with those configuration values in place of its own. */
export function withConfiguration(raw: Record<string, unknown>, configuration: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(configuration).length === 0) return raw;
  const own = typeof raw.configuration === "object" && raw.configuration !== null ? (raw.configuration as Record<string, unknown>) : {};
  return { ...raw, configuration: { ...own, ...configuration } };
}

/** What the replay command still needs: the var files with secrets or environment, the secret --vars. */
export function replayVarFlags(w: WrittenVars, shown: (p: string) => string): string {
  return [...w.varFilesForReplay.map((f) => ` --var-file ${shown(f)}`), ...w.secretVars.map((n) => ` --var ${n}=…`)].join("");
}

