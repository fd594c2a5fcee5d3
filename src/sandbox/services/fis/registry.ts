/**
 * The plug-in boundary between the sandbox's FIS emulation and the services it acts on. Each
 * service registers the FIS resource types it can resolve and the FIS actions it can carry out;
 * the FIS service itself knows templates, validation, target resolution and experiment states.
 */
import type { Kernel } from "../../kernel.js";
import type { FisActionDescription, FisCatalogView, FisResourceTypeDescription } from "../../../fis/descriptions.js";

export type { FisParameterSpec } from "../../../fis/descriptions.js";



/** A resource that a target resolved to. */
export interface FisResource {
  arn: string;
  /** What ListExperimentResolvedTargets shows as `targetInformation`. */
  info: Record<string, string>;
  /** The resource as its Describe call shows it (PascalCase keys), for `filters[].path`. */
  describe: Record<string, unknown>;
  tags: Record<string, string>;
}

/** A resource type as src/fis/catalog.ts describes it, with how the sandbox finds its resources. */
export interface FisResourceType extends FisResourceTypeDescription {
  /** Every resource of this type that exists now, narrowed by the target's parameters. */
  candidates(parameters: Record<string, string>): FisResource[];
}

export interface FisActionContext {
  kernel: Kernel;
  experimentId: string;
  actionName: string;
  parameters: Record<string, string>;
  /** The resolved resources, by the action's target key ("SpotInstances", "Tasks", ...). */
  targets: Record<string, FisResource[]>;
}

/**
 * Why an experiment failed, as GetExperiment reports it in `state.error.code` (FIS user guide,
 * troubleshooting: error codes).
 */
export type FisErrorCode =
  | "ConfigurationFailure"
  | "DependentServiceFailure"
  | "InternalFailure"
  | "InvalidTarget"
  | "AuthorizationFailure"
  | "QuotaExceededFailure";

export interface FisActionRun {
  /** StopExperiment (or a failing experiment) calls this: undo what can be undone, stop timers. */
  stop(): void;
}

/** An action as src/fis/catalog.ts describes it, with how the sandbox carries it out. */
export interface FisActionType extends FisActionDescription {
  /**
   * Starts the action. It calls `done` when it has completed, or `fail` with a reason (and,
   * optionally, the FIS error code; DependentServiceFailure when omitted).
   */
  start(ctx: FisActionContext, done: () => void, fail: (reason: string, code?: FisErrorCode) => void): FisActionRun;
}

export class FisRegistry implements FisCatalogView {
  private readonly types = new Map<string, FisResourceType>();
  private readonly actionTypes = new Map<string, FisActionType>();

  addResourceType(type: FisResourceType): void {
    this.types.set(type.resourceType, type);
  }

  addAction(action: FisActionType): void {
    this.actionTypes.set(action.actionId, action);
  }

  resourceType(id: string): FisResourceType | undefined {
    return this.types.get(id);
  }

  action(id: string): FisActionType | undefined {
    return this.actionTypes.get(id);
  }

  actions(): FisActionType[] {
    return [...this.actionTypes.values()];
  }

  resourceTypes(): FisResourceType[] {
    return [...this.types.values()];
  }
}
