/**
 * The connection for commands that reach an account without running anything (stop, recover
 * --orphans): --target aws or an endpoint URL, never the embedded sandbox, whose resources end
 * with the process that ran it.
 */
import { AwsClients } from "../aws/clients.js";
import { RealClock } from "../time/clock.js";
import { SeededRandom, freshSeed } from "../random/random.js";
import { endpointUrl } from "./target.js";
import { usage } from "./errors.js";
import { regionFlag } from "./region-flag.js";

export function accountClients(command: string, flags: { target?: string; region?: string; profile?: string }): AwsClients {
  const target = flags.target;
  if (target === undefined || target === "sandbox") {
    throw usage(`${command}: --target aws or an endpoint URL (an embedded sandbox's experiments end with its process)`);
  }
  regionFlag(command, flags.region);
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (target === "aws" ? undefined : "us-east-1");
  if (!region) throw usage(`${command} --target aws needs --region (or AWS_REGION)`);
  const connection =
    target === "aws"
      ? { kind: "aws" as const, region, ...(flags.profile ? { profile: flags.profile } : {}) }
      : { kind: "endpoint" as const, region, endpoint: endpointUrl(target).href.replace(/\/$/, "") };
  return new AwsClients(connection, { clock: new RealClock(), random: new SeededRandom(freshSeed()) });
}
