/**
 * Service deployments (the rolling update, deployment controller ECS), as the ECS Developer Guide
 * describes them (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * - UpdateService with a new task definition (or forceNewDeployment) makes a new PRIMARY deployment;
 *   the previous ones turn ACTIVE and are replaced, then INACTIVE once none of their tasks is left;
 * - maximumPercent caps the tasks RUNNING or PENDING (rounded down), minimumHealthyPercent is the
 *   floor of healthy tasks (rounded up) while old tasks are stopped;
 * - rolloutState IN_PROGRESS until the PRIMARY deployment has its desired count healthy and every
 *   older task has stopped: then COMPLETED; the circuit breaker makes it FAILED, after which it
 *   launches no more tasks, and with rollback on a new deployment goes back to the last COMPLETED
 *   task definition (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
 */
import type { Kernel } from "../../kernel.js";
import type { Deployment, Service, TaskDefinition } from "./model.js";

/** The task counts a rolling update keeps to, for a desired count and the service's percentages. */
export function deploymentBounds(desired: number, minimumHealthyPercent: number, maximumPercent: number): { maxTotal: number; minHealthy: number } {
  return {
    maxTotal: Math.floor((desired * maximumPercent) / 100),
    minHealthy: Math.ceil((desired * minimumHealthyPercent) / 100),
  };
}

/**
 * The circuit breaker's failure threshold: 0.5 × desired count, at least 3 and at most 200
 * (ECS API reference, ServiceDeploymentCircuitBreaker.threshold:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html;
 * the 2023 Developer Guide said at least 10, the current reference says 3). Rounded up.
 */
export function circuitBreakerThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));
}

export interface DeploymentHost {
  readonly kernel: Kernel;
  serviceEvent(service: Service, message: string): void;
  serviceUpdated(service: Service): void;
}

export class Deployments {
  constructor(private readonly host: DeploymentHost) {}

  /** ECS's deployment ids: `ecs-svc/` and 19 digits. */
  private newId(): string {
    return `ecs-svc/${this.host.kernel.hex(19).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}`;
  }

  /** The service's first deployment, at creation. */
  initial(definition: TaskDefinition): Deployment {
    const now = this.host.kernel.now();
    return { id: this.newId(), status: "PRIMARY", definition, createdAt: now, updatedAt: now, rolloutState: "IN_PROGRESS", rolloutStateReason: "ECS deployment in progress.", failedTasks: 0, failureCount: 0 };
  }

  /** A new PRIMARY deployment of `definition`; the previous ones keep their tasks until replaced. */
  start(service: Service, definition: TaskDefinition): Deployment {
    const d = this.initial(definition);
    for (const old of service.deployments) {
      old.status = "ACTIVE";
      old.updatedAt = d.createdAt;
    }
    service.deployments.unshift(d);
    service.definition = definition;
    service.steady = false;
    this.stateChange(service, d, "SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO", "ECS deployment in progress.");
    this.host.serviceUpdated(service);
    return d;
  }

  /** A task of the deployment failed to start or failed its health checks. */
  taskFailed(service: Service, d: Deployment): void {
    d.failedTasks++;
    d.failureCount++;
    d.updatedAt = this.host.kernel.now();
    if (!service.circuitBreaker.enable || d.rolloutState !== "IN_PROGRESS" || d.status !== "PRIMARY") return;
    if (d.failureCount < circuitBreakerThreshold(service.desiredCount)) return;
    this.fail(service, d);
  }

  /** resetOnHealthyTask (default true): a task of the deployment turning healthy resets the count. */
  taskHealthy(d: Deployment): void {
    d.failureCount = 0;
  }

  private fail(service: Service, d: Deployment): void {
    d.rolloutState = "FAILED";
    d.rolloutStateReason = `ECS deployment circuit breaker: tasks failed to start.`;
    d.updatedAt = this.host.kernel.now();
    this.host.serviceEvent(service, `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    this.stateChange(service, d, "SERVICE_DEPLOYMENT_FAILED", "ERROR", d.rolloutStateReason);
    const back = service.lastCompleted;
    if (service.circuitBreaker.rollback && back && back !== d.definition) {
      const to = service.deployments.find((x) => x.definition === back && x !== d);
      this.host.serviceEvent(service, `(service ${service.name}) rolling back to deployment ${to?.id ?? back.arn}.`);
      const rollback = this.start(service, back);
      rollback.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${to?.id ?? back.arn}.`;
    }
  }

  /**
   * After a scheduler pass: deployments with no task left turn INACTIVE (and leave the list), and
   * the PRIMARY one COMPLETES once it has its desired count healthy and nothing older is left.
   */
  settle(service: Service, primaryHealthy: number, tasksLeft: (d: Deployment) => number): void {
    const primary = service.deployments[0]!;
    for (const d of [...service.deployments.slice(1)]) {
      if (tasksLeft(d) > 0) continue;
      d.status = "INACTIVE";
      d.updatedAt = this.host.kernel.now();
      service.deployments.splice(service.deployments.indexOf(d), 1);
    }
    if (primary.rolloutState !== "IN_PROGRESS") return;
    if (service.deployments.length > 1 || primaryHealthy < service.desiredCount) return;
    primary.rolloutState = "COMPLETED";
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = this.host.kernel.now();
    service.lastCompleted = primary.definition;
    this.host.serviceEvent(service, `(service ${service.name}) (deployment ${primary.id}) deployment completed.`);
    this.stateChange(service, primary, "SERVICE_DEPLOYMENT_COMPLETED", "INFO", primary.rolloutStateReason);
  }

  /** EventBridge `ECS Deployment State Change` (ECS Developer Guide, ecs_service_deployment_events). */
  private stateChange(service: Service, d: Deployment, eventName: string, eventType: "INFO" | "ERROR", reason: string): void {
    const kernel = this.host.kernel;
    kernel.emit("aws.ecs", "ECS Deployment State Change", { eventType, eventName, deploymentId: d.id, updatedAt: new Date(kernel.now()).toISOString(), reason }, [service.arn]);
  }
}
