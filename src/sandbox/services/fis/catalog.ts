/**
 * ListActions/GetAction and ListTargetResourceTypes/GetTargetResourceType, answered from the
 * registry: what the sandbox can run, in the shapes FIS describes its own catalog with.
 */
import { notFound } from "./errors.js";
import type { FisActionType, FisRegistry, FisResourceType } from "./registry.js";

function actionTargets(a: FisActionType): Record<string, { resourceType: string }> {
  return a.target ? { [a.target.key]: { resourceType: a.target.resourceType } } : {};
}

export function actionSummary(a: FisActionType): Record<string, unknown> {
  return { id: a.actionId, description: a.description, targets: actionTargets(a), tags: {} };
}

export function actionDetail(registry: FisRegistry, id: string): Record<string, unknown> {
  const a = registry.action(id);
  if (!a) throw notFound(`Action ${id} not found.`);
  const parameters = Object.fromEntries(Object.entries(a.parameters).map(([name, p]) => [name, { description: p.description, required: p.required }]));
  return { ...actionSummary(a), parameters };
}

export function sortedActions(registry: FisRegistry): FisActionType[] {
  return registry.actions().sort((x, y) => (x.actionId < y.actionId ? -1 : 1));
}

export function resourceTypeSummary(t: FisResourceType): Record<string, unknown> {
  return { resourceType: t.resourceType, description: t.description };
}

export function resourceTypeDetail(registry: FisRegistry, id: string): Record<string, unknown> {
  const t = registry.resourceType(id);
  if (!t) throw notFound(`Target resource type ${id} not found.`);
  const parameters = Object.fromEntries((t.parameters ?? []).map((p) => [p.name, { description: p.description, required: p.required }]));
  return { ...resourceTypeSummary(t), parameters };
}

export function sortedResourceTypes(registry: FisRegistry): FisResourceType[] {
  return registry.resourceTypes().sort((x, y) => (x.resourceType < y.resourceType ? -1 : 1));
}
