/**
 * What FIS actions and target resource types are, without how any of them is carried out: ids,
 * parameters with their ranges, the one target key an action takes, per-action target quotas.
 * The template validator reads these; the sandbox registers its implementations against them.
 */

export interface FisParameterSpec {
  required: boolean;
  description: string;
  /** Returns why the value is invalid, or undefined when it is fine. */
  check?(value: string): string | undefined;
}

export interface FisResourceTypeDescription {
  resourceType: string;
  description: string;
  /** Target parameters this type accepts (aws:ecs:task takes cluster and service). */
  parameters?: { name: string; required: boolean; description: string }[];
  /** Whether the type may be targeted by resourceArns and by resourceTags. */
  acceptsArns: boolean;
  acceptsTags: boolean;
}

export interface FisActionDescription {
  actionId: string;
  description: string;
  /**
   * The one target key this action takes and the resource type it must point at. `maxResources`
   * is FIS's per-action target quota (5 for SpotInstances and for Tasks): a run whose target
   * resolves to more resources fails with QuotaExceededFailure.
   */
  target?: { key: string; resourceType: string; maxResources?: number };
  parameters: Record<string, FisParameterSpec>;
}

/** What the validator asks of a catalog: the sandbox's registry and the neutral catalog both answer. */
export interface FisCatalogView {
  /** Who knows these ids, for "unknown actionId" messages; "the sandbox" when absent. */
  readonly knownBy?: string;
  action(id: string): FisActionDescription | undefined;
  actions(): FisActionDescription[];
  resourceType(id: string): FisResourceTypeDescription | undefined;
  resourceTypes(): FisResourceTypeDescription[];
}
