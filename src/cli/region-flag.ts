/**
 * --region as commands take it: a region's name (aws/region.ts, as a stack file's region is
 * checked), or a usage error naming the command and the flag. Small and free of the planner, so a
 * command checks it before loading anything else.
 */
import { isRegion, REGION_EXPECTED } from "../aws/region.js";
import { usage } from "./errors.js";

export function regionFlag(command: string | undefined, value: string | undefined): string | undefined {
  if (value !== undefined && !isRegion(value)) throw usage(`${command ? `${command}: ` : ""}--region: expected ${REGION_EXPECTED} (<area>-<direction>-<number>), found ${JSON.stringify(value)}`);
  return value;
}

/** The region an `aws` target will use: --region, else the environment's, as `chaos run` takes it (cli/target.ts). */
export function awsRegionOf(flag: string | undefined): string | undefined {
  return flag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

/**
 * --region and --profile, refused on the embedded sandbox rather than ignored: its region is its
 * stack file's, and it needs no credentials. For commands that pass them on to runs (run through
 * its target, gameday, gate), checked before anything starts.
 */
export function refuseOnEmbeddedSandbox(target: string | undefined, flags: { region?: string | undefined; profile?: string | undefined }): void {
  if ((target ?? "sandbox") !== "sandbox") return;
  if (flags.region !== undefined) throw usage("--region applies only to endpoint and aws targets: the embedded sandbox runs in its stack file's region");
  if (flags.profile !== undefined) throw usage("--profile applies only to --target aws: the embedded sandbox needs no credentials");
}
