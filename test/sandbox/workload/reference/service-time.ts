// The service-time sampler before the ServiceTime class (commit 5d82dd0): closures, the spare normal in a
// closure variable. Kept as the oracle of test/sandbox/workload/service-time-differential.test.ts and
// bench/web-requests.ts. Not used by gameday itself.
/** Service-time distributions for a web app's requests, drawn from the task's own random stream. */
import type { Random } from "../../../../src/random/random.js";
import type { AppSpec } from "../../../../src/sandbox/stack/ecs.js";

/** z for the 99th percentile of the standard normal. */
const Z99 = 2.3263478740408408;

export type Sampler = () => number;

export function referenceServiceTimeSampler(spec: AppSpec["serviceTime"], random: Random): Sampler {
  if ("mix" in spec) return mixSampler(spec.mix, random);
  if (spec.distribution === "constant") {
    const value = spec.value;
    return () => value;
  }
  if (!(spec.p99 >= spec.p50) || !(spec.p50 > 0)) {
    throw new RangeError(`serviceTime: expected 0 < p50 <= p99, found p50 ${spec.p50} ms and p99 ${spec.p99} ms`);
  }
  return lognormal(spec.p50, spec.p99, random);
}

/** Each draw picks a kind of request by weight, then its service time. */
function mixSampler(parts: readonly { weight: number; p50: number; p99: number }[], random: Random): Sampler {
  const total = parts.reduce((n, p) => n + p.weight, 0);
  const samplers = parts.map((p) => lognormal(p.p50, p.p99, random));
  return () => {
    let u = random.next() * total;
    for (let i = 0; i < parts.length - 1; i++) {
      u -= parts[i]!.weight;
      if (u < 0) return samplers[i]!();
    }
    return samplers[parts.length - 1]!();
  };
}

function lognormal(p50: number, p99: number, random: Random): Sampler {
  const mu = Math.log(p50);
  const sigma = Math.log(p99 / p50) / Z99;
  let spare: number | undefined;
  return () => {
    let z: number;
    if (spare !== undefined) {
      z = spare;
      spare = undefined;
    } else {
      // Box-Muller: two independent normals per two uniforms.
      const u = 1 - random.next();
      const v = random.next();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      spare = r * Math.sin(2 * Math.PI * v);
    }
    return Math.exp(mu + sigma * z);
  };
}
