/**
 * What a template's actions mean, checked against the action types the registry knows: the
 * action id exists, its `targets` map uses exactly the action's fixed key and points at a
 * defined target of the right resource type, its parameters are the ones it takes (each value
 * checked by the action's own spec), and `startAfter` names other actions without a cycle.
 */
import { validationError } from "./errors.js";
import type { FisCatalogView } from "./descriptions.js";
import type { ActionSpec, TargetSpec } from "./template-model.js";

export function checkActions(actions: Record<string, ActionSpec>, targets: Record<string, TargetSpec>, registry: FisCatalogView): void {
  for (const [name, action] of Object.entries(actions)) checkAction(name, action, targets, registry);
  for (const [name, action] of Object.entries(actions)) {
    for (const before of action.startAfter ?? []) {
      if (!Object.hasOwn(actions, before)) {
        throw validationError(`Action "${name}" has startAfter "${before}", which is not an action in this template.`, `actions.${name}.startAfter`);
      }
    }
  }
  const cycle = findCycle(actions);
  if (cycle) throw validationError(`The actions' startAfter lists form a cycle (each starts after the next): ${cycle.join(" -> ")}.`, `actions.${cycle[0]}.startAfter`);
}

function checkAction(name: string, action: ActionSpec, targets: Record<string, TargetSpec>, registry: FisCatalogView): void {
  const type = registry.action(action.actionId);
  if (!type) {
    const known = registry.actions().map((a) => a.actionId).sort().join(", ") || "none";
    throw validationError(`Unknown actionId "${action.actionId}" in action "${name}"; ${registry.knownBy ?? "the sandbox"} knows: ${known}.`, `actions.${name}.actionId`);
  }
  const wanted = type.target;
  const expected = wanted ? `Expected "${wanted.key}" (${wanted.resourceType}).` : `${type.actionId} takes no targets.`;
  for (const [key, targetName] of Object.entries(action.targets ?? {})) {
    if (!wanted || key !== wanted.key) throw validationError(`Unexpected target "${key}" found in action "${name}". ${expected}`, `actions.${name}.targets.${key}`);
    const target = targets[targetName];
    if (!target) {
      throw validationError(`Action "${name}" points its "${key}" target at "${targetName}", which is not defined in targets.`, `actions.${name}.targets.${key}`);
    }
    if (target.resourceType !== wanted.resourceType) {
      throw validationError(
        `Action "${name}" (${type.actionId}) needs a ${wanted.resourceType} target for "${key}", but target "${targetName}" has resource type ${target.resourceType}.`,
        `actions.${name}.targets.${key}`,
      );
    }
  }
  if (wanted && action.targets?.[wanted.key] === undefined) {
    throw validationError(`Action "${name}" (${type.actionId}) requires a target for "${wanted.key}" (${wanted.resourceType}).`, `actions.${name}`);
  }

  const params = action.parameters ?? {};
  const takes = Object.keys(type.parameters);
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(type.parameters, key)) {
      const list = takes.length ? `takes ${takes.join(", ")}` : "takes no parameters";
      throw validationError(`Unexpected parameter "${key}" found in action "${name}": ${type.actionId} ${list}.`, `actions.${name}.parameters.${key}`);
    }
  }
  for (const [key, spec] of Object.entries(type.parameters)) {
    const value = params[key];
    if (value === undefined) {
      if (spec.required) throw validationError(`Missing required parameter "${key}" in action "${name}" (${type.actionId}).`, `actions.${name}`);
      continue;
    }
    const problem = spec.check?.(value);
    if (problem !== undefined) throw validationError(`Invalid value for parameter "${key}" in action "${name}" (${type.actionId}): ${problem}.`, `actions.${name}.parameters.${key}`);
  }
}

/** The first startAfter cycle found, as a path that returns to its start; undefined if none. */
function findCycle(actions: Record<string, ActionSpec>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const before of actions[name]?.startAfter ?? []) {
      const found = visit(before);
      if (found) return found;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of Object.keys(actions)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
