/**
 * UpdateService (ECS API reference, API_UpdateService): desired count, deployment configuration,
 * health check grace period, and a new deployment when the task definition changes or
 * forceNewDeployment is set (the same task definition alone starts none).
 */
import { AwsServiceError } from "../../protocol/types.js";
import type { EcsControlPlane } from "./control-plane.js";
import { invalid, optString, reqString, type Input } from "./input.js";
import { serviceShape } from "./shapes.js";

function integer(v: unknown, key: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw invalid(`${key} must be an integer between ${min} and ${max}, found ${JSON.stringify(v)}.`);
  return v;
}

function bool(v: unknown, key: string): boolean {
  if (typeof v !== "boolean") throw invalid(`${key}: expected a boolean, found ${JSON.stringify(v)}.`);
  return v;
}

export function updateService(ecs: EcsControlPlane, input: Input) {
  const cluster = ecs.cluster(optString(input, "cluster"));
  const s = ecs.findService(cluster, reqString(input, "service"));
  if (!s) throw new AwsServiceError("ServiceNotFoundException", "Service not found.");

  // Check every member before changing anything: a refused call changes nothing.
  const desired = input.desiredCount === undefined ? undefined : integer(input.desiredCount, "desiredCount", 0, 2147483647);
  const ref = optString(input, "taskDefinition");
  const definition = ref === undefined ? undefined : ecs.taskDefinitions.resolve(ref);
  if (ref !== undefined && !definition) throw new AwsServiceError("ClientException", "TaskDefinition not found.");
  const force = input.forceNewDeployment === undefined ? false : bool(input.forceNewDeployment, "forceNewDeployment");
  const config = (input.deploymentConfiguration ?? {}) as Input;
  if (typeof config !== "object" || Array.isArray(config)) throw invalid("deploymentConfiguration: expected a structure.");
  const minimum = config.minimumHealthyPercent === undefined ? s.minimumHealthyPercent : integer(config.minimumHealthyPercent, "deploymentConfiguration.minimumHealthyPercent", 0, 100);
  const maximum = config.maximumPercent === undefined ? s.maximumPercent : integer(config.maximumPercent, "deploymentConfiguration.maximumPercent", 100, 2147483647);
  const breaker = config.deploymentCircuitBreaker as Input | undefined;
  if (breaker !== undefined && (typeof breaker !== "object" || breaker === null || breaker.enable === undefined || breaker.rollback === undefined)) {
    throw invalid("deploymentConfiguration.deploymentCircuitBreaker: enable and rollback are required.");
  }
  const circuitBreaker = breaker ? { enable: bool(breaker.enable, "deploymentCircuitBreaker.enable"), rollback: bool(breaker.rollback, "deploymentCircuitBreaker.rollback") } : undefined;
  const grace = input.healthCheckGracePeriodSeconds === undefined ? undefined : integer(input.healthCheckGracePeriodSeconds, "healthCheckGracePeriodSeconds", 0, 2147483647);
  if (grace !== undefined && !s.targetGroup) throw invalid("Health check grace period is only valid for services configured to use load balancers");

  s.minimumHealthyPercent = minimum;
  s.maximumPercent = maximum;
  if (circuitBreaker) s.circuitBreaker = circuitBreaker;
  if (grace !== undefined) s.healthCheckGracePeriodMs = grace * 1000;
  if (desired !== undefined) {
    s.desiredCount = desired;
    s.steady = false;
    ecs.serviceEvent(s, `(service ${s.name}) desired count set to ${desired}.`);
  }
  if (force || (definition !== undefined && definition !== s.definition)) ecs.deployments.start(s, definition ?? s.definition);
  else ecs.serviceUpdated(s);
  return { service: serviceShape(s) };
}
