/**
 * The restJson1 routes of the FIS API (paths from the 2020-12-01 model, as @aws-sdk/client-fis
 * sends them), each a thin adapter from the request to the stores and back to the wire shapes.
 */
import type { RestRoute } from "../../protocol/dispatcher.js";
import { AwsServiceError } from "../../protocol/types.js";
import { FisRejection } from "../../../fis/errors.js";
import { actionDetail, actionSummary, resourceTypeDetail, resourceTypeSummary, sortedActions, sortedResourceTypes } from "./catalog.js";
import { constraintError } from "./errors.js";
import type { ExperimentStore } from "./experiments.js";
import { paginate } from "./pagination.js";
import type { FisRegistry } from "./registry.js";
import type { Tagging } from "./tagging.js";
import type { TemplateStore } from "./templates.js";
import { experimentSummary, experimentToWire, templateSummary, templateToWire } from "./wire.js";

export interface FisParts {
  registry: FisRegistry;
  templates: TemplateStore;
  experiments: ExperimentStore;
  tagging: Tagging;
}

export function fisRoutes({ registry, templates, experiments, tagging }: FisParts): RestRoute[] {
  const route = (method: string, path: string, operation: string, handler: RestRoute["handler"]): RestRoute => ({ method, path, operation, handler: onWire(handler) });
  return [
    route("POST", "/experimentTemplates", "CreateExperimentTemplate", ({ body }) => ({ experimentTemplate: templateToWire(templates.create(body)) })),
    route("GET", "/experimentTemplates", "ListExperimentTemplates", ({ query }) => {
      const page = paginate(templates.list(), query, "experimentTemplates");
      return { experimentTemplates: page.items.map(templateSummary), ...next(page.nextToken) };
    }),
    route("GET", "/experimentTemplates/{id}", "GetExperimentTemplate", ({ params }) => ({ experimentTemplate: templateToWire(templates.get(params.id!)) })),
    route("PATCH", "/experimentTemplates/{id}", "UpdateExperimentTemplate", ({ params, body }) => ({
      experimentTemplate: templateToWire(templates.update(params.id!, body)),
    })),
    route("DELETE", "/experimentTemplates/{id}", "DeleteExperimentTemplate", ({ params }) => ({
      experimentTemplate: templateToWire(templates.delete(params.id!)),
    })),

    route("POST", "/experiments", "StartExperiment", ({ body }) => ({ experiment: experimentToWire(experiments.start(body)) })),
    route("GET", "/experiments", "ListExperiments", ({ query }) => {
      // Newer clients can filter by template (the pinned FisClient cannot send it yet).
      const templateId = query.experimentTemplateId;
      const all = experiments.list().filter((e) => templateId === undefined || e.templateId === templateId);
      const page = paginate(all, query, `experiments:${templateId ?? ""}`);
      return { experiments: page.items.map(experimentSummary), ...next(page.nextToken) };
    }),
    route("GET", "/experiments/{id}", "GetExperiment", ({ params }) => ({ experiment: experimentToWire(experiments.get(params.id!)) })),
    route("DELETE", "/experiments/{id}", "StopExperiment", ({ params }) => ({ experiment: experimentToWire(experiments.stop(params.id!)) })),
    route("GET", "/experiments/{id}/resolvedTargets", "ListExperimentResolvedTargets", ({ params, query }) => {
      const page = experiments.resolvedTargets(params.id!, query);
      return { resolvedTargets: page.items, ...next(page.nextToken) };
    }),

    route("GET", "/actions", "ListActions", ({ query }) => {
      const page = paginate(sortedActions(registry), query, "actions");
      return { actions: page.items.map(actionSummary), ...next(page.nextToken) };
    }),
    route("GET", "/actions/{id}", "GetAction", ({ params }) => ({ action: actionDetail(registry, params.id!) })),
    route("GET", "/targetResourceTypes", "ListTargetResourceTypes", ({ query }) => {
      const page = paginate(sortedResourceTypes(registry), query, "targetResourceTypes");
      return { targetResourceTypes: page.items.map(resourceTypeSummary), ...next(page.nextToken) };
    }),
    route("GET", "/targetResourceTypes/{resourceType}", "GetTargetResourceType", ({ params }) => ({
      targetResourceType: resourceTypeDetail(registry, params.resourceType!),
    })),

    route("GET", "/tags/{resourceArn}", "ListTagsForResource", ({ params }) => ({ tags: tagging.list(params.resourceArn!) })),
    route("POST", "/tags/{resourceArn}", "TagResource", ({ params, body }) => {
      if (body.tags == null) throw constraintError(null, "tags", "Member must not be null");
      tagging.tag(params.resourceArn!, body.tags);
      return {};
    }),
    route("DELETE", "/tags/{resourceArn}", "UntagResource", ({ params, query }) => {
      // The sandbox's request carries one value per query key, so one tagKeys value arrives.
      tagging.untag(params.resourceArn!, query.tagKeys === undefined ? [] : [query.tagKeys]);
      return {};
    }),
  ];
}

function next(token: string | undefined): { nextToken?: string } {
  return token === undefined ? {} : { nextToken: token };
}

/** Template validation is shared with the CLI (src/fis/): its refusals go out as FIS's wire errors. */
function onWire(handler: RestRoute["handler"]): RestRoute["handler"] {
  return (request) => {
    try {
      return handler(request);
    } catch (err) {
      if (err instanceof FisRejection) throw new AwsServiceError(err.code, err.message, err.statusCode);
      throw err;
    }
  };
}
