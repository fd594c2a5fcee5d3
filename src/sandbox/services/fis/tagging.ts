/**
 * TagResource, UntagResource and ListTagsForResource for templates and experiments, by ARN.
 */
import { notFound } from "./errors.js";
import type { ExperimentStore } from "./experiments.js";
import { readTags } from "../../../fis/read-template.js";
import type { TemplateStore } from "./templates.js";

export class Tagging {
  constructor(
    private readonly templates: TemplateStore,
    private readonly experiments: ExperimentStore,
  ) {}

  list(arn: string): Record<string, string> {
    return { ...this.tagsOf(arn) };
  }

  tag(arn: string, tags: unknown): void {
    const current = this.tagsOf(arn);
    const added = readTags(tags ?? {}, "tags");
    const merged = { ...current, ...added };
    // The 50-tag limit applies to the resource's whole set, not to one call.
    readTags(merged, "tags");
    Object.assign(current, added);
  }

  untag(arn: string, keys: readonly string[]): void {
    const current = this.tagsOf(arn);
    for (const key of keys) delete current[key];
  }

  private tagsOf(arn: string): Record<string, string> {
    const template = this.templates.byArn(arn);
    if (template) return template.spec.tags;
    const experiment = this.experiments.byArn(arn);
    if (experiment) return experiment.tags;
    throw notFound(`No experiment template or experiment has the ARN ${arn}.`);
  }
}
