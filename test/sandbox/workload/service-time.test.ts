import { describe, expect, it } from "vitest";
import { serviceTimeSampler } from "../../../src/sandbox/workload/service-time.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";
import { SeededRandom } from "../../../src/random/random.js";
import { StackError } from "../../../src/sandbox/stack/load.js";

const stackWith = (serviceTime: string) => `availabilityZones: [us-east-1a]
clusters: [{ name: c }]
taskDefinitions:
  - family: app
    cpu: 1024
    memory: 2048
    app:
      threads: 20
      serviceTime: ${serviceTime}
`;

describe("a request mix", () => {
  it("draws each kind by its weight, each with its own distribution: a short render beside the 300 ms request", () => {
    const stack = parseStack(stackWith("{ mix: [{ weight: 3, p50: 10ms, p99: 30ms }, { weight: 1, p50: 300ms, p99: 330ms }] }"));
    const sample = serviceTimeSampler(stack.taskDefinitions[0]!.app!.serviceTime, new SeededRandom(1));
    const draws = Array.from({ length: 20_000 }, sample);
    const slow = draws.filter((d) => d >= 200);
    // 1 in 4 is the 300 ms kind (binomial sd ~0.3%); every draw belongs to one kind or the other.
    expect(slow.length / draws.length).toBeGreaterThan(0.24);
    expect(slow.length / draws.length).toBeLessThan(0.26);
    expect(draws.every((d) => d < 60 || (d > 250 && d < 400))).toBe(true);
    const sorted = [...slow].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThan(290);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(310);
  });

  it("is a located stack error when a kind's p99 is shorter than its p50, or its p50 is 0", () => {
    const problems = (text: string) => {
      try {
        parseStack(text, "mix.yaml");
      } catch (err) {
        return (err as StackError).problems;
      }
      throw new Error("expected the stack to be rejected");
    };
    expect(problems(stackWith("{ mix: [{ weight: 1, p50: 300ms, p99: 30ms }] }"))).toEqual([
      expect.stringMatching(/^mix\.yaml:9:\d+: taskDefinitions\[0\]\.app\.serviceTime\.mix\[0\]\.p99: expected a p99 no shorter than the p50 \(300 ms\), found 30 ms/),
    ]);
    expect(problems(stackWith("{ mix: [{ weight: 1, p50: 0ms, p99: 30ms }] }"))).toEqual([expect.stringMatching(/serviceTime\.mix\[0\]\.p50: expected a p50 above 0 ms, found 0 ms/)]);
    expect(problems(stackWith("{ mix: [{ p50: 10ms, p99: 30ms }] }"))).toEqual([expect.stringMatching(/serviceTime\.mix\[0\]\.weight: expected a number, found nothing/)]);
  });
});
