/**
 * The connection for commands that reach an account without running anything (stop, recover
 * --orphans): --target aws or an endpoint URL, never the embedded sandbox, whose resources end
 * with the process that ran it.
 */
import { AwsClients } from "../aws/clients.js";
import { RealClock } from "../time/clock.js";
import { SeededRandom, freshSeed } from "../random/random.js";
import { endpointRegion, endpointUrl } from "./target.js";
import { CliError, usage } from "./errors.js";
import { awsRegionOf, regionFlag } from "./region-flag.js";

export async function accountClients(command: string, flags: { target?: string; region?: string; profile?: string }): Promise<AwsClients> {
  const target = flags.target;
  if (target === undefined || target === "sandbox") {
    throw usage(`${command}: --target aws or an endpoint URL (an embedded sandbox's experiments end with its process)`);
  }
  regionFlag(command, flags.region);
  const clock = new RealClock();
  const random = new SeededRandom(freshSeed());
  if (target === "aws") {
    const region = awsRegionOf(flags.region);
    if (!region) throw usage(`${command} --target aws needs --region (or AWS_REGION)`);
    return new AwsClients({ kind: "aws", region, ...(flags.profile ? { profile: flags.profile } : {}) }, { clock, random });
  }
  const url = endpointUrl(target);
  // As `chaos run --target URL` takes it (target.ts): a served sandbox's region unless another is
  // asked for, which it would refuse; else --region, AWS_REGION or us-east-1. Looking in another
  // region than the run's would find nothing to stop.
  const { targetClock } = await import("../aws/target-clock.js");
  const served = (await targetClock(url, clock)).region;
  let region: string;
  try {
    region = endpointRegion({ target, ...(flags.region !== undefined ? { region: flags.region } : {}) }, served);
  } catch (err) {
    throw err instanceof CliError ? new CliError(`${command}: ${err.message}`, err.exitCode) : err;
  }
  return new AwsClients({ kind: "endpoint", region, endpoint: url.href.replace(/\/$/, "") }, { clock, random });
}
