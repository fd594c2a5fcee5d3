/**
 * Experiments: StartExperiment (idempotent by clientToken, at most 5 active at once),
 * GetExperiment, ListExperiments, StopExperiment and ListExperimentResolvedTargets.
 */
import type { Kernel } from "../../kernel.js";
import { canonicalJson } from "./canonical-json.js";
import { conflict, notFound, quotaExceeded, validationError } from "./errors.js";
import { ACTIONS_MODES, type ActionRecord, type ActionsMode, type ExperimentRecord } from "./experiment-model.js";
import { ExperimentRun } from "./experiment-run.js";
import { fisId } from "./ids.js";
import { paginate, type Page } from "./pagination.js";
import { readTags } from "../../../fis/read-template.js";
import type { FisRegistry } from "./registry.js";
import { NO_WHITESPACE, checkEnum, optionalObject, optionalString, requiredString, type Json } from "../../../fis/shape.js";
import type { TemplateStore } from "./templates.js";
import type { StopConditionAlarms } from "./stop-conditions.js";

/** FIS quota: active experiments per account and Region. */
export const MAX_ACTIVE_EXPERIMENTS = 5;

export interface ResolvedTargetEntry {
  resourceType: string;
  targetName: string;
  targetInformation: Record<string, string>;
}

export class ExperimentStore {
  private readonly runs = new Map<string, ExperimentRun>();
  private readonly tokens = new Map<string, { id: string; request: string }>();

  constructor(
    private readonly kernel: Kernel,
    private readonly registry: FisRegistry,
    private readonly templates: TemplateStore,
    private readonly alarms?: StopConditionAlarms,
  ) {}

  start(body: Json): ExperimentRecord {
    const clientToken = optionalString(body, "clientToken", "clientToken", { max: 255, pattern: NO_WHITESPACE }) ?? this.kernel.uuid();
    const templateId = requiredString(body, "experimentTemplateId", "experimentTemplateId", { max: 64, pattern: NO_WHITESPACE });
    const tags = body.tags == null ? {} : readTags(body.tags);
    const options = optionalObject(body, "experimentOptions", "experimentOptions");
    const actionsMode: ActionsMode =
      options?.actionsMode == null ? "run-all" : checkEnum(options.actionsMode, "experimentOptions.actionsMode", ACTIONS_MODES);

    const { clientToken: _token, ...rest } = body;
    const request = canonicalJson(rest);
    const seen = this.tokens.get(clientToken);
    if (seen) {
      if (seen.request !== request) throw conflict(`The clientToken "${clientToken}" was already used by a different StartExperiment request.`);
      return this.run(seen.id).record;
    }
    const template = this.templates.get(templateId);
    const active = [...this.runs.values()].filter((r) => r.active).length;
    if (active >= MAX_ACTIVE_EXPERIMENTS) {
      throw quotaExceeded(`${active} experiments are already active; the quota is ${MAX_ACTIVE_EXPERIMENTS} active experiments per account and Region.`);
    }

    const id = fisId(this.kernel, "EXP");
    const now = this.kernel.now();
    const spec = structuredClone(template.spec);
    const actions = new Map<string, ActionRecord>();
    for (const [name, a] of Object.entries(spec.actions)) actions.set(name, { name, spec: a, status: "pending", reason: "Initial state" });
    const record: ExperimentRecord = {
      id,
      arn: this.kernel.arn("fis", `experiment/${id}`),
      templateId,
      clientToken,
      template: spec,
      tags,
      actionsMode,
      status: "pending",
      reason: "Experiment is pending.",
      creationTime: now,
      startTime: now,
      actions,
      resolved: new Map(),
    };
    const run = new ExperimentRun(this.kernel, this.registry, record, this.alarms);
    this.runs.set(id, run);
    this.tokens.set(clientToken, { id, request });
    run.start();
    return record;
  }

  get(id: string): ExperimentRecord {
    return this.run(id).record;
  }

  list(): ExperimentRecord[] {
    return [...this.runs.values()].map((r) => r.record);
  }

  stop(id: string): ExperimentRecord {
    const run = this.run(id);
    if (!run.active) {
      throw validationError(`Experiment ${id} is ${run.record.status}; only an experiment that is still active can be stopped.`);
    }
    run.stop();
    return run.record;
  }

  resolvedTargets(id: string, query: Record<string, string>): Page<ResolvedTargetEntry> {
    const record = this.get(id);
    const name = query.targetName;
    if (name !== undefined && !Object.hasOwn(record.template.targets, name)) {
      const known = Object.keys(record.template.targets).join(", ") || "none";
      throw validationError(`Experiment ${id} has no target named "${name}"; its targets are: ${known}.`);
    }
    const entries: ResolvedTargetEntry[] = [];
    for (const [targetName, target] of Object.entries(record.template.targets)) {
      if (name !== undefined && targetName !== name) continue;
      for (const r of record.resolved.get(targetName) ?? []) {
        // AWS does not document targetInformation's keys; the sandbox always names the resource's ARN.
        entries.push({ resourceType: target.resourceType, targetName, targetInformation: { arn: r.arn, ...r.info } });
      }
    }
    return paginate(entries, query, `resolvedTargets:${id}:${name ?? ""}`);
  }

  byArn(arn: string): ExperimentRecord | undefined {
    return this.list().find((e) => e.arn === arn);
  }

  private run(id: string): ExperimentRun {
    const run = this.runs.get(id);
    if (!run) throw notFound(`Experiment ${id} not found.`);
    return run;
  }
}
