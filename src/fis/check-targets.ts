/**
 * What a template's targets mean, checked against the resource types the registry knows: the
 * type exists, selectionMode parses, ARNs, tags and filters are combined the way FIS allows,
 * and target parameters are those the type accepts. Messages quote AWS where its wording is
 * public ("You cannot specify both resource ARNs and resource tags for target X.").
 */
import { validationError } from "./errors.js";
import type { FisCatalogView } from "./descriptions.js";
import { parseSelectionMode } from "./selection-mode.js";
import type { TargetSpec } from "./template-model.js";

export function checkTargets(targets: Record<string, TargetSpec>, registry: FisCatalogView): void {
  for (const [name, target] of Object.entries(targets)) checkTarget(name, target, registry);
}

function checkTarget(name: string, target: TargetSpec, registry: FisCatalogView): void {
  const at = `targets.${name}`;
  const type = registry.resourceType(target.resourceType);
  if (!type) {
    const known = registry.resourceTypes().map((t) => t.resourceType).sort().join(", ") || "none";
    throw validationError(`Invalid resource type "${target.resourceType}" for target "${name}"; ${registry.knownBy ?? "the sandbox"} knows: ${known}.`, `${at}.resourceType`);
  }
  const mode = parseSelectionMode(target.selectionMode);
  if ("error" in mode) throw validationError(`Invalid selectionMode for target "${name}": ${mode.error}.`, `${at}.selectionMode`);

  const hasArns = (target.resourceArns?.length ?? 0) > 0;
  const hasTags = Object.keys(target.resourceTags ?? {}).length > 0;
  const hasFilters = (target.filters?.length ?? 0) > 0;
  const params = target.parameters ?? {};
  if (hasArns && hasTags) throw validationError(`You cannot specify both resource ARNs and resource tags for target ${name}.`, at);
  if (hasArns && hasFilters) throw validationError(`You cannot specify both resource ARNs and filters for target ${name}.`, at);
  if (hasArns && !type.acceptsArns) throw validationError(`TargetResourceType ${type.resourceType} does not support resourceArns.`, `${at}.resourceArns`);
  if (hasTags && !type.acceptsTags) throw validationError(`TargetResourceType ${type.resourceType} does not support resourceTags.`, `${at}.resourceTags`);

  const accepted = type.parameters ?? [];
  for (const key of Object.keys(params)) {
    if (!accepted.some((p) => p.name === key)) {
      const takes = accepted.length ? `takes ${accepted.map((p) => p.name).join(", ")}` : "takes no parameters";
      throw validationError(`Unexpected parameter "${key}" found in target "${name}": resource type ${type.resourceType} ${takes}.`, `${at}.parameters.${key}`);
    }
  }
  for (const p of accepted) {
    if (p.required && params[p.name] === undefined) {
      throw validationError(`Missing required parameter "${p.name}" in target "${name}" (resource type ${type.resourceType}).`, at);
    }
  }
  if (!hasArns && !hasTags && Object.keys(params).length === 0) {
    throw validationError(`Target "${name}" must identify its resources with resourceArns, resourceTags or parameters; it has none.`, at);
  }
}
