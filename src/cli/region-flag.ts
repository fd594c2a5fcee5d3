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
