/**
 * Experiment templates: create (idempotent by clientToken), get, update, delete and list. At most
 * 500 templates per account and Region, as FIS's quota says.
 */
import type { Kernel } from "../../kernel.js";
import { canonicalJson } from "./canonical-json.js";
import { conflict, notFound, quotaExceeded } from "./errors.js";
import { fisId } from "./ids.js";
import type { FisRegistry } from "./registry.js";
import type { Json } from "../../../fis/shape.js";
import type { StoredTemplate } from "../../../fis/template-model.js";
import { validateCreateRequest, validateUpdateRequest } from "../../../fis/validate-template.js";
import { checkAlarmsExist, type StopConditionAlarms } from "./stop-conditions.js";

export const MAX_TEMPLATES = 500;

export class TemplateStore {
  private readonly templates = new Map<string, StoredTemplate>();
  /** clientToken -> the template it created and the request it came with. */
  private readonly tokens = new Map<string, { id: string; request: string }>();

  constructor(
    private readonly kernel: Kernel,
    private readonly registry: FisRegistry,
    /** The sandbox's CloudWatch alarms; without them alarm stop conditions are taken on trust. */
    private readonly alarms?: StopConditionAlarms,
  ) {}

  create(body: Json): StoredTemplate {
    const { clientToken, spec } = validateCreateRequest(body, this.registry);
    if (this.alarms) checkAlarmsExist(spec, this.alarms);
    const { clientToken: _token, ...rest } = body;
    const request = canonicalJson(rest);
    if (clientToken !== undefined) {
      const seen = this.tokens.get(clientToken);
      if (seen && seen.request !== request) {
        throw conflict(`The clientToken "${clientToken}" was already used by a different CreateExperimentTemplate request.`);
      }
      const existing = seen && this.templates.get(seen.id);
      if (existing) return existing;
    }
    if (this.templates.size >= MAX_TEMPLATES) {
      throw quotaExceeded(`This account already has ${this.templates.size} experiment templates; the quota is ${MAX_TEMPLATES}.`);
    }
    const id = fisId(this.kernel, "EXT");
    const now = this.kernel.now();
    const template: StoredTemplate = {
      id,
      arn: this.kernel.arn("fis", `experiment-template/${id}`),
      spec,
      creationTime: now,
      lastUpdateTime: now,
    };
    this.templates.set(id, template);
    if (clientToken !== undefined) this.tokens.set(clientToken, { id, request });
    this.kernel.record("fis", "template-created", `experiment template ${id} created`, { templateId: id });
    return template;
  }

  get(id: string): StoredTemplate {
    const t = this.templates.get(id);
    if (!t) throw notFound(`Experiment template ${id} not found.`);
    return t;
  }

  update(id: string, body: Json): StoredTemplate {
    const t = this.get(id);
    const spec = validateUpdateRequest(t.spec, body, this.registry);
    if (this.alarms) checkAlarmsExist(spec, this.alarms);
    t.spec = spec;
    t.lastUpdateTime = this.kernel.now();
    this.kernel.record("fis", "template-updated", `experiment template ${id} updated`, { templateId: id });
    return t;
  }

  delete(id: string): StoredTemplate {
    const t = this.get(id);
    this.templates.delete(id);
    this.kernel.record("fis", "template-deleted", `experiment template ${id} deleted`, { templateId: id });
    return t;
  }

  list(): StoredTemplate[] {
    return [...this.templates.values()];
  }

  byArn(arn: string): StoredTemplate | undefined {
    return this.list().find((t) => t.arn === arn);
  }
}
