/** ECS resources as the control plane keeps them. */
import type { Instance } from "../ec2/instances.js";
import type { CapacityProviderItem, PlacementStrategy, TaskDefinitionSpec } from "../../stack/ecs.js";
import type { WebApp } from "../../workload/web-app.js";
import type { Target, TargetGroup } from "../../workload/target-group.js";

export type TaskStatus = "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "STOPPED";

/** Order of lastStatus values; a task only moves forward. */
export const TASK_STATUS_ORDER: readonly TaskStatus[] = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];

export type StopCode = "TaskFailedToStart" | "EssentialContainerExited" | "UserInitiated" | "ServiceSchedulerInitiated" | "SpotInterruption" | "TerminationNotice";

export type ContainerInstanceStatus = "REGISTERING" | "ACTIVE" | "DRAINING" | "DEREGISTERING" | "INACTIVE";

export interface Cluster {
  readonly name: string;
  readonly arn: string;
  readonly spotInstanceDraining: boolean;
  readonly tags: Record<string, string>;
  readonly containerInstances: ContainerInstance[];
  readonly tasks: Task[];
  readonly services: Service[];
}

export interface ContainerInstance {
  readonly id: string;
  readonly arn: string;
  readonly cluster: Cluster;
  readonly instance: Instance;
  readonly registeredCpu: number;
  readonly registeredMemory: number;
  readonly registeredAt: number;
  status: ContainerInstanceStatus;
  agentConnected: boolean;
  remainingCpu: number;
  remainingMemory: number;
  version: number;
  /** Tasks placed here that have not stopped. */
  readonly tasks: Set<Task>;
}

export interface TaskDefinition {
  readonly arn: string;
  /** family:revision, revisions counting from 1 per family. */
  readonly revision: number;
  readonly spec: TaskDefinitionSpec;
}

export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** One deployment of a service: PRIMARY is the newest, ACTIVE ones still have tasks to replace. */
export interface Deployment {
  readonly id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  readonly definition: TaskDefinition;
  readonly createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  /** Tasks of this deployment that failed to start or failed health checks. */
  failedTasks: number;
  /** The circuit breaker's count: reset when a task of the deployment turns healthy. */
  failureCount: number;
}

export type FargateCapacityProvider = "FARGATE" | "FARGATE_SPOT";

/**
 * The elastic network interface of an awsvpc task, as DescribeTasks lists it under `attachments`
 * (type ElasticNetworkInterface): PRECREATED while the task provisions, ATTACHED once the task has
 * connectivity, DELETED when the task has stopped.
 */
export interface EniAttachment {
  readonly id: string;
  status: "PRECREATED" | "ATTACHED" | "DELETED";
  readonly subnetId: string;
  readonly networkInterfaceId: string;
  readonly macAddress: string;
  readonly privateIPv4Address: string;
}

/** A process inside a task, driven by the task's lifecycle. */
export interface TaskProcess {
  /** The process name killall matches (FIS aws:ecs:task-kill-process), for processes that have one. */
  readonly name?: string;
  start(at: number): void;
  /** SIGTERM: begin a graceful shutdown. */
  sigterm(at: number): void;
  /** The process is gone: it exited after SIGTERM (`graceful`), or was SIGKILLed, or its host died. */
  exit(at: number, graceful: boolean): void;
}

export interface Task {
  readonly id: string;
  readonly arn: string;
  readonly cluster: Cluster;
  readonly definition: TaskDefinition;
  readonly service: Service | undefined;
  /** The service deployment that started the task. */
  readonly deployment: Deployment | undefined;
  readonly containerInstance: ContainerInstance | undefined;
  readonly availabilityZone: string;
  readonly launchType: "EC2" | "FARGATE";
  /** The Fargate capacity provider that runs the task, when its service uses a capacity provider strategy. */
  readonly capacityProviderName?: FargateCapacityProvider;
  /** The task's ENI (Fargate tasks, awsvpc). */
  readonly eni?: EniAttachment;
  readonly group: string;
  readonly startedBy: string | undefined;
  readonly createdAt: number;
  readonly containerArn: string;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  version: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  exitCode?: number;
  /** The web app in the task, when the definition declares one. */
  app?: WebApp;
  /** Other processes in the task (a log shipper), started, signalled and ended with it. */
  sidecars: TaskProcess[];
  /** The task's registration in its service's target group. */
  target?: Target;
  /** Pending lifecycle timers; cancelled when the task's path changes. */
  cancelTimers: (() => void)[];
  /** The host died under the task: its processes are gone. */
  hostLost: boolean;
  /** Why the task counts as a failed task of its deployment (for the circuit breaker), if it does. */
  failure?: "start" | "health";
  /** The task has been healthy once (the circuit breaker resets on a healthy task once). */
  seenHealthy?: boolean;
}

export interface Service {
  readonly name: string;
  readonly arn: string;
  readonly cluster: Cluster;
  /** The PRIMARY deployment's task definition. */
  definition: TaskDefinition;
  readonly launchType: "EC2" | "FARGATE";
  /** Fargate capacity providers in place of a launch type; empty when the service names a launch type. */
  readonly capacityProviderStrategy: readonly CapacityProviderItem[];
  minimumHealthyPercent: number;
  maximumPercent: number;
  healthCheckGracePeriodMs: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** PRIMARY first, then ACTIVE ones, as DescribeServices lists them; INACTIVE ones are dropped. */
  readonly deployments: Deployment[];
  /** The task definition of the last deployment that COMPLETED: where a rollback goes. */
  lastCompleted?: TaskDefinition | undefined;
  readonly placementStrategy: PlacementStrategy[];
  readonly targetGroup: TargetGroup | undefined;
  readonly createdAt: number;
  readonly tags: Record<string, string>;
  desiredCount: number;
  /** Newest first, at most 100, as DescribeServices returns them. */
  readonly events: { id: string; createdAt: number; message: string }[];
  /** The last placement failure reported, so the same message is not repeated every pass. */
  lastPlacementFailure?: string | undefined;
  steady: boolean;
}

/** The resource name for an id or an ARN ("arn:...:task/prod/abc" or "abc" -> "abc"). */
export function lastSegment(idOrArn: string): string {
  const slash = idOrArn.lastIndexOf("/");
  return slash >= 0 ? idOrArn.slice(slash + 1) : idOrArn;
}

export function isStoppedOrStopping(task: Task): boolean {
  return task.desiredStatus === "STOPPED";
}
