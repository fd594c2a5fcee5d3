/**
 * RegisterTaskDefinition: a new revision of a family (family:N+1). The sandbox cannot run images,
 * so a new revision of a known family behaves as its latest one, with the cpu, memory and
 * container stopTimeout the request gives; a new family needs task-level cpu and memory.
 */
import type { EcsControlPlane } from "./control-plane.js";
import { invalid, optString, reqString, type Input } from "./input.js";
import type { TaskDefinition } from "./model.js";
import type { TaskDefinitionSpec } from "../../stack/ecs.js";

function units(input: Input, key: string): number | undefined {
  const v = optString(input, key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw invalid(`${key}: expected a number of ${key === "cpu" ? "CPU units" : "MiB"} such as "512", found ${JSON.stringify(v)}.`);
  return Number(v);
}

export function registerTaskDefinition(ecs: EcsControlPlane, input: Input): TaskDefinition {
  const family = reqString(input, "family");
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw invalid("Family may contain only letters, numbers, hyphens and underscores, up to 255 characters.");
  const containers = input.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw invalid("Container definitions can not be empty.");
  const stop = (containers as Input[]).map((c) => c.stopTimeout).find((v) => v !== undefined);
  if (stop !== undefined && (typeof stop !== "number" || !Number.isInteger(stop) || stop < 0 || stop > 120)) throw invalid(`stopTimeout must be between 0 and 120 seconds, found ${JSON.stringify(stop)}.`);
  const cpu = units(input, "cpu");
  const memory = units(input, "memory");
  // A registered revision is a working image: a stack's failing revision does not carry over.
  const { failure: _failure, ...base } = ecs.taskDefinitions.latest(family)?.spec ?? { failure: undefined };
  const known = "family" in base;
  if (!known && (cpu === undefined || memory === undefined)) throw invalid(`Task-level cpu and memory are required for a new family "${family}".`);
  const spec = known
    ? { ...(base as Omit<TaskDefinitionSpec, "failure">), revisions: [] }
    : { family, cpu: cpu!, memory: memory!, startup: 10_000, shutdown: 1_000, stopTimeout: 30_000, volumes: [], revisions: [] };
  return ecs.taskDefinitions.register({
    ...spec,
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(stop !== undefined ? { stopTimeout: (stop as number) * 1000 } : {}),
  });
}
