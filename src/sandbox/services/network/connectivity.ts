/**
 * Whether a caller can reach a service endpoint at all. A disruption makes calls from the callers
 * it covers fail the way a broken network fails: a `timeout` (packets dropped, as a NACL that
 * denies everything does: the client waits out its request timeout) or `refused` (the connection
 * is actively rejected: ECONNREFUSED at once). A disruption covers every caller, or only callers
 * in given subnets; a simulated caller names its subnet in the CALLER_SUBNET_HEADER header.
 */
import type { SandboxTransportFailure } from "../../protocol/types.js";

export const CALLER_SUBNET_HEADER = "x-gameday-caller-subnet";

export type OutageEffect = "timeout" | "refused";

export interface Disruption {
  effect: OutageEffect;
  /** Subnet ids; absent means every caller, wherever it is. */
  subnets?: ReadonlySet<string>;
}

export class Connectivity {
  private readonly disruptions: Disruption[] = [];
  /** Calls that failed, by effect. */
  readonly counts: Record<OutageEffect, number> = { timeout: 0, refused: 0 };

  /** Adds a disruption; returns the function that lifts it. */
  add(disruption: Disruption): () => void {
    this.disruptions.push(disruption);
    return () => {
      const i = this.disruptions.indexOf(disruption);
      if (i >= 0) this.disruptions.splice(i, 1);
    };
  }

  /** The transport failure a call with these headers meets, if any; the first disruption added wins. */
  failureFor(headers: Record<string, string>): SandboxTransportFailure | undefined {
    const subnet = headers[CALLER_SUBNET_HEADER];
    for (const d of this.disruptions) {
      if (d.subnets && (subnet === undefined || !d.subnets.has(subnet))) continue;
      this.counts[d.effect]++;
      return { failure: d.effect };
    }
    return undefined;
  }
}
