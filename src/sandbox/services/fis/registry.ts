/**
 * The plug-in boundary between the sandbox's FIS emulation and the services it acts on. Each
 * service registers the FIS resource types it can resolve and the FIS actions it can carry out;
 * the FIS service itself knows templates, validation, target resolution and experiment states.
 */
import type { Kernel } from "../../kernel.js";

/** A resource that a target resolved to. */
export interface FisResource {
  arn: string;
  /** What ListExperimentResolvedTargets shows as `targetInformation`. */
  info: Record<string, string>;
  /** The resource as its Describe call shows it (PascalCase keys), for `filters[].path`. */
  describe: Record<string, unknown>;
  tags: Record<string, string>;
}

export interface FisResourceType {
  resourceType: string;
  description: string;
  /** Target parameters this type accepts (aws:ecs:task takes cluster and service). */
  parameters?: { name: string; required: boolean; description: string }[];
  /** Whether the type may be targeted by resourceArns and by resourceTags. */
  acceptsArns: boolean;
  acceptsTags: boolean;
  /** Every resource of this type that exists now, narrowed by the target's parameters. */
  candidates(parameters: Record<string, string>): FisResource[];
}

export interface FisParameterSpec {
  required: boolean;
  description: string;
  /** Returns why the value is invalid, or undefined when it is fine. */
  check?(value: string): string | undefined;
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

export interface FisActionType {
  actionId: string;
  description: string;
  /**
   * The one target key this action takes and the resource type it must point at. `maxResources`
   * is FIS's per-action target quota (5 for SpotInstances and for Tasks): a run whose target
   * resolves to more resources fails with QuotaExceededFailure.
   */
  target?: { key: string; resourceType: string; maxResources?: number };
  parameters: Record<string, FisParameterSpec>;
  /**
   * Starts the action. It calls `done` when it has completed, or `fail` with a reason (and,
   * optionally, the FIS error code; DependentServiceFailure when omitted).
   */
  start(ctx: FisActionContext, done: () => void, fail: (reason: string, code?: FisErrorCode) => void): FisActionRun;
}

export class FisRegistry {
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
