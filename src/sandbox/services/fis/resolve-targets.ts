/**
 * Target resolution, done once when an experiment starts: the registry's candidates for the
 * resource type (narrowed by the target's parameters), then resourceArns, resourceTags (all
 * must match exactly; an empty value matches only an empty value) and filters (every filter,
 * any of its values), then selectionMode's random pick.
 */
import type { Random } from "../../../random/random.js";
import { filterMatches } from "./filter-path.js";
import type { FisRegistry, FisResource } from "./registry.js";
import { parseSelectionMode, selectResources } from "../../../fis/selection-mode.js";
import type { TargetSpec } from "../../../fis/template-model.js";

export class TargetResolutionError extends Error {}

/** Every resource the target identifies, before selectionMode, ordered by ARN. */
export function identifyResources(target: TargetSpec, registry: FisRegistry): FisResource[] {
  const type = registry.resourceType(target.resourceType);
  if (!type) throw new TargetResolutionError(`resource type ${target.resourceType} is no longer registered`);
  const arns = target.resourceArns ?? [];
  const tags = Object.entries(target.resourceTags ?? {});
  const filters = target.filters ?? [];
  return type
    .candidates({ ...(target.parameters ?? {}) })
    .filter((r) => arns.length === 0 || arns.includes(r.arn))
    .filter((r) => tags.every(([k, v]) => Object.hasOwn(r.tags, k) && r.tags[k] === v))
    .filter((r) => filters.every((f) => filterMatches(r.describe, f)))
    // Sorted so that the random pick depends on the seed only, not on the registry's order.
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}

/** The resources the target resolves to: those it identifies, narrowed by selectionMode. */
export function resolveTarget(target: TargetSpec, registry: FisRegistry, random: Random): FisResource[] {
  const mode = parseSelectionMode(target.selectionMode);
  if ("error" in mode) throw new TargetResolutionError(mode.error);
  return selectResources(identifyResources(target, registry), mode, random);
}
