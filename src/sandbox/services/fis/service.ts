/**
 * The sandbox's AWS Fault Injection Service: templates, experiments and their states, target
 * resolution and selection, over whatever resource types and actions the other sandbox services
 * registered in the FisRegistry, plus the built-in aws:fis:wait. Everything runs on the
 * kernel's clock and random source.
 *
 * Stop conditions: templates may name CloudWatch alarms (source aws:cloudwatch:alarm). Given the
 * sandbox's alarms, templates must name existing ones and an alarm entering ALARM halts the
 * experiment (stop-conditions.ts); without them (a FIS composed alone) they are recorded only,
 * and the experiment's running state says so.
 */
import type { Kernel } from "../../kernel.js";
import type { RestService } from "../../protocol/dispatcher.js";
import { ExperimentStore } from "./experiments.js";
import type { FisRegistry } from "./registry.js";
import { fisRoutes } from "./routes.js";
import { Tagging } from "./tagging.js";
import { TemplateStore } from "./templates.js";
import { waitAction } from "./wait-action.js";
import type { StopConditionAlarms } from "./stop-conditions.js";

export class FisService {
  /** The restJson1 routes, for Dispatcher.addRestService. */
  readonly rest: RestService;
  readonly templates: TemplateStore;
  readonly experiments: ExperimentStore;

  constructor(kernel: Kernel, registry: FisRegistry, alarms?: StopConditionAlarms) {
    if (!registry.action(waitAction.actionId)) registry.addAction(waitAction);
    this.templates = new TemplateStore(kernel, registry, alarms);
    this.experiments = new ExperimentStore(kernel, registry, this.templates, alarms);
    const tagging = new Tagging(this.templates, this.experiments);
    this.rest = { name: "fis", routes: fisRoutes({ registry, templates: this.templates, experiments: this.experiments, tagging }) };
  }
}
