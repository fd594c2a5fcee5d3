/**
 * An experiment template as the sandbox keeps it: the members of CreateExperimentTemplate after
 * validation, with the defaults AWS fills in (experimentOptions) applied.
 */

export interface TargetFilter {
  path: string;
  values: string[];
}

export interface TargetSpec {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  filters?: TargetFilter[];
  selectionMode: string;
  parameters?: Record<string, string>;
}

export interface ActionSpec {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}

export interface StopConditionSpec {
  source: string;
  value?: string;
}

export type AccountTargeting = "single-account" | "multi-account";
export type EmptyTargetResolutionMode = "fail" | "skip";

export interface TemplateOptions {
  accountTargeting: AccountTargeting;
  emptyTargetResolutionMode: EmptyTargetResolutionMode;
}

export interface LogConfiguration {
  cloudWatchLogsConfiguration?: { logGroupArn: string };
  s3Configuration?: { bucketName: string; prefix?: string };
  logSchemaVersion: number;
}

export interface TemplateSpec {
  description: string;
  stopConditions: StopConditionSpec[];
  targets: Record<string, TargetSpec>;
  actions: Record<string, ActionSpec>;
  roleArn: string;
  tags: Record<string, string>;
  logConfiguration?: LogConfiguration;
  experimentOptions: TemplateOptions;
  /** Kept and echoed as given: the sandbox writes no reports (newer SDKs only can send it). */
  experimentReportConfiguration?: Record<string, unknown>;
}

export const ACCOUNT_TARGETING: readonly AccountTargeting[] = ["single-account", "multi-account"];
export const EMPTY_TARGET_RESOLUTION_MODES: readonly EmptyTargetResolutionMode[] = ["fail", "skip"];
export const DEFAULT_OPTIONS: TemplateOptions = { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" };

/** A template the sandbox holds, with its identity and timestamps (epoch milliseconds). */
export interface StoredTemplate {
  id: string;
  arn: string;
  spec: TemplateSpec;
  creationTime: number;
  lastUpdateTime: number;
}
