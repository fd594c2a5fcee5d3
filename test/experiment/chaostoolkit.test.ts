import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseExperiment } from "../../src/experiment/loader.js";
import type { ActivityStep, HttpProvider, ProcessProvider } from "../../src/experiment/model.js";
import { normaliseHypothesisStrategy, normaliseProbeMode, normaliseRollbackStrategy } from "../../src/experiment/strategies.js";
import { errorAt, errorsOf, FIXTURES } from "./helpers.js";

describe("a Chaos Toolkit experiment with http and process providers loads unchanged", () => {
  const file = `${FIXTURES}ctk-orders-api.json`;
  const text = readFileSync(file, "utf8");
  const env = { ORDERS_API_TOKEN: "tok-123", ORDERS_REPLICAS: "5" };
  const { experiment, secretValues } = parseExperiment(text, file, { env });
  const hypothesis = experiment.steadyStateHypothesis?.probes as ActivityStep[];

  it("keeps names, types and order of activities", () => {
    expect(hypothesis.map((a) => [a.kind, a.type, a.name])).toEqual([
      ["activity", "probe", "orders-health"],
      ["activity", "probe", "orders-are-listed"],
      ["activity", "probe", "all-replicas-ready"],
    ]);
    expect(experiment.method.map((s) => s.name)).toEqual(["delete-one-orders-pod", "create-order-during-loss", "orders-health#2"]);
    expect(experiment.rollbacks.map((s) => s.name)).toEqual(["restore-replicas"]);
  });

  it("reads http providers with Chaos Toolkit's defaults and timeouts in seconds", () => {
    expect(hypothesis[0]?.provider).toEqual({
      type: "http",
      url: "http://127.0.0.1:8080/health",
      method: "GET",
      headers: { Authorization: "Bearer tok-123" },
      timeout: { connect: 3000, read: 3000 },
      verifyTls: true,
      maxRetries: 0,
    } satisfies HttpProvider);
    expect((hypothesis[1]?.provider as HttpProvider).timeout).toEqual({ connect: 1000, read: 5000 });
    const post = experiment.method[1] as ActivityStep;
    expect(post).toMatchObject({ background: true, type: "probe" });
    expect(post.provider).toMatchObject({ method: "POST", verifyTls: false, maxRetries: 2, arguments: { sku: "ABC-1", quantity: 1 } });
  });

  it("reads process providers: a list runs without a shell, a string through one", () => {
    expect((hypothesis[2]?.provider as ProcessProvider).arguments).toEqual(["get", "deployment/orders", "-n", "shop", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}"]);
    expect(hypothesis[2]?.provider).toMatchObject({ path: "kubectl", timeout: 20_000 });
    const del = experiment.method[0] as ActivityStep;
    expect(typeof (del.provider as ProcessProvider).arguments).toBe("string");
    expect(del.pauses).toEqual({ after: 10_000 });
    expect((experiment.rollbacks[0] as ActivityStep).provider).toMatchObject({ arguments: ["scale", "deployment/orders", "-n", "shop", "--replicas=5"] });
  });

  it("reads tolerances, env configuration with its type, and secrets for redaction", () => {
    expect(hypothesis.map((a) => a.tolerance?.kind)).toEqual(["equals", "jsonpath", "regex"]);
    expect(experiment.configuration).toEqual({ api_url: "http://127.0.0.1:8080", replicas: 5, health_timeout: 3, namespace: "shop" });
    expect(experiment.secrets).toEqual({ orders: { api_token: "tok-123" } });
    expect(secretValues).toEqual(["tok-123"]);
  });

  it("maps the runtime: default rollbacks are always, continously is continuously, frequency is the interval", () => {
    expect(experiment.runtime).toEqual({ hypothesis: "continuously", interval: 2500, rollbacks: "always", failFast: false });
    expect(experiment.contributions).toEqual({ availability: "high", latency: "medium", errors: "low" });
    expect(experiment.extensions).toEqual([{ name: "team", owner: "checkout" }]);
  });

  it("loads the same from YAML", () => {
    const asYaml = parseExperiment(stringify(JSON.parse(text)), "orders.yaml", { env });
    expect(asYaml.experiment).toEqual(experiment);
  });
});

describe("Chaos Toolkit features gameday does not run", () => {
  it("the reference AWS example fails on its python provider with advice", () => {
    const text = `title: ECS service survives task loss
description: Killing 50% of tasks must not break the health endpoint
configuration: {aws_region: eu-west-1, cluster: prod, service: api}
steady-state-hypothesis:
  title: API healthy
  probes:
    - {type: probe, name: health, tolerance: 200,
       provider: {type: http, url: "https://api.example.com/health", timeout: 3}}
method:
  - type: action
    name: kill-half
    provider: {type: python, module: chaosaws.ecs.actions, func: stop_random_tasks,
               arguments: {cluster: "\${cluster}", service: "\${service}", task_percent: 50}}
    pauses: {after: 60}
rollbacks: []
`;
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: "method[0].provider", position: { line: 12, column: 15 }, expected: "an http or process provider" });
    expect(errors[0]?.found).toMatch(/^python \(module chaosaws\.ecs\.actions\): gameday does not run Python/);
  });

  it("a map of process arguments (deprecated there) is rejected with the reason", () => {
    const error = errorAt(
      errorsOf("title: t\nmethod:\n  - type: action\n    name: a\n    provider: { type: process, path: ls, arguments: { l: true } }\n"),
      "method[0].provider.arguments",
    );
    expect(error.expected).toContain("deprecated map of arguments is not supported");
  });
});

describe("strategy and mode spellings", () => {
  it("accepts Chaos Toolkit's hypothesis strategies, including the deprecated continously", () => {
    expect(["default", "before-method-only", "after-method-only", "during-method-only", "continuously", "continously", " Continuously "].map(normaliseHypothesisStrategy)).toEqual([
      "default",
      "before-method-only",
      "after-method-only",
      "during-method-only",
      "continuously",
      "continuously",
      "continuously",
    ]);
    expect(normaliseHypothesisStrategy("skip")).toBeUndefined();
  });

  it("reads rollback default as always", () => {
    expect(["default", "always", "deviated", "never", "sometimes"].map(normaliseRollbackStrategy)).toEqual(["always", "always", "deviated", "never", undefined]);
  });

  it("accepts Litmus mode spellings", () => {
    expect(["SOT", "EOT", "Edge", "Continuous", "OnChaos", "on-chaos", "during"].map(normaliseProbeMode)).toEqual(["sot", "eot", "edge", "continuous", "on-chaos", "on-chaos", undefined]);
    const text = "title: t\nmethod:\n  - probe: p\n    mode: OnChaos\n  - probe: q\n    mode: EOT\n";
    expect(parseExperiment(text, "exp.yaml", { env: {} }).experiment.method.map((s) => (s.kind === "probe" ? s.mode : undefined))).toEqual(["on-chaos", "eot"]);
  });
});
