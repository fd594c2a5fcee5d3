/**
 * The ECS control plane: clusters, task definitions, container instances, tasks and services,
 * and the events ECS emits when they change. The service scheduler, the agents and the API all
 * act through it.
 */
import type { Random } from "../../../random/random.js";
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { Stack } from "../../stack/schema.js";
import { BUILTIN_INSTANCE_TYPES } from "../../stack/ec2.js";
import type { Instance } from "../ec2/instances.js";
import type { Traffic } from "../../workload/traffic.js";
import { AwsServiceError } from "../../protocol/types.js";
import { TaskLifecycle } from "./lifecycle.js";
import { lastSegment, type Cluster, type ContainerInstance, type ContainerInstanceStatus, type Deployment, type Service, type StopCode, type Task, type TaskDefinition, type TaskProcess } from "./model.js";
import { TaskDefinitions } from "./task-definitions.js";
import { Deployments } from "./deployments.js";
import { containerInstanceEventDetail, taskEventDetail } from "./shapes.js";
import { pickCapacityProvider, place, placeFargate, type PlacementResult } from "./placement.js";
import { DEFAULT_PLACEMENT } from "../../stack/ecs.js";
import { defaultSubnets, subnetFor } from "../../stack/network.js";
import type { EniAttachment, FargateCapacityProvider } from "./model.js";
import type { EfsFileSystem } from "../efs/index.js";

/** How long ECS keeps STOPPED tasks visible to ListTasks/DescribeTasks. */
export const STOPPED_TASK_RETENTION_MS = 3_600_000;

export interface NewTask {
  cluster: Cluster;
  definition: TaskDefinition;
  service?: Service;
  /** The service deployment starting the task. */
  deployment?: Deployment;
  launchType: "EC2" | "FARGATE";
  startedBy?: string;
  group?: string;
}

/**
 * Why a Fargate task whose EFS volume cannot be mounted stops (stopped-task-error-codes.html:
 * ResourceInitializationError, platform version 1.4.0 and later; the text the EFS mount helper gives
 * for an unreachable mount target, as ECS reports it).
 */
export const EFS_MOUNT_FAILED_REASON = "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32";

/** The documented text of a Fargate Spot interruption (fargate-capacity-providers.html, the warning's task state change event). */
export const SPOT_INTERRUPTED_REASON = "Your Spot Task was interrupted.";

export class EcsControlPlane {
  readonly clusters = new Map<string, Cluster>();
  readonly taskDefinitions: TaskDefinitions;
  readonly deployments: Deployments;
  readonly lifecycle: TaskLifecycle;
  private readonly byInstanceId = new Map<string, ContainerInstance>();
  private readonly instanceTypes: Record<string, { cpu: number; memory: number }>;
  private readonly placementRandom: Random;
  private readonly appRandom: Random;
  private readonly taskListeners: ((task: Task) => void)[] = [];
  private readonly instanceListeners: ((ci: ContainerInstance) => void)[] = [];
  private readonly serviceListeners: ((service: Service) => void)[] = [];

  /** Extra processes a new task runs (the sandbox's log producers); none unless set. */
  sidecars: (task: Task) => TaskProcess[] = () => [];

  /** The stack's EFS file systems by name, for tasks' EFS volumes (the sandbox's EFS sets it); none unless set. */
  fileSystem: (name: string) => EfsFileSystem | undefined = () => undefined;

  constructor(
    readonly kernel: Kernel,
    private readonly timers: Timers,
    readonly stack: Stack,
    private readonly traffic: Traffic,
  ) {
    this.instanceTypes = { ...BUILTIN_INSTANCE_TYPES, ...stack.instanceTypes };
    this.placementRandom = kernel.random.fork("ecs:placement");
    this.appRandom = kernel.random.fork("ecs:apps");
    this.taskDefinitions = new TaskDefinitions(kernel, stack.taskDefinitions);
    this.deployments = new Deployments(this);
    for (const c of stack.clusters) {
      this.clusters.set(c.name, {
        name: c.name,
        arn: kernel.arn("ecs", `cluster/${c.name}`),
        spotInstanceDraining: c.spotInstanceDraining,
        tags: c.tags,
        containerInstances: [],
        tasks: [],
        services: [],
      });
    }
    for (const s of stack.services) {
      const cluster = this.clusters.get(s.cluster)!;
      const definition = this.taskDefinitions.first(s.taskDefinition)!;
      cluster.services.push({
        name: s.name,
        arn: kernel.arn("ecs", `service/${cluster.name}/${s.name}`),
        cluster,
        definition,
        // Fargate's capacity providers stand in for a launch type: their tasks run on FARGATE.
        launchType: s.capacityProviderStrategy ? "FARGATE" : s.launchType,
        capacityProviderStrategy: s.capacityProviderStrategy ?? [],
        minimumHealthyPercent: s.minimumHealthyPercent,
        maximumPercent: s.maximumPercent,
        healthCheckGracePeriodMs: s.healthCheckGracePeriod,
        circuitBreaker: { ...s.deploymentCircuitBreaker },
        deployments: [this.deployments.initial(definition)],
        placementStrategy: s.launchType === "EC2" && !s.capacityProviderStrategy ? s.placementStrategy : [],
        targetGroup: s.targetGroup !== undefined ? traffic.group(s.name) : undefined,
        createdAt: kernel.now(),
        tags: s.tags,
        desiredCount: s.desiredCount,
        events: [],
        steady: false,
      });
    }
    this.lifecycle = new TaskLifecycle(kernel, timers, {
      changed: (task) => this.taskChanged(task),
      stopped: (task) => this.release(task),
      failed: (task) => this.taskFailed(task),
      registerTarget: (task) => {
        const group = task.service?.targetGroup;
        if (!group || !task.app) return false;
        task.target = group.register(task.id, task.app);
        this.serviceEvent(task.service!, `(service ${task.service!.name}) registered 1 targets in (target-group ${group.arn})`);
        return true;
      },
      mountVolumes: (task) => this.mountVolumes(task),
      unmountVolumes: (task) => {
        for (const v of task.definition.spec.volumes) this.fileSystem(v.efsVolumeConfiguration.fileSystem)?.unmount(task.id);
      },
      deregisterTarget: (task, done) => {
        const group = task.service?.targetGroup;
        const target = task.target;
        if (!group || !target || target.state === "draining" || target.state === "unused") return false;
        this.serviceEvent(task.service!, `(service ${task.service!.name}) has begun draining connections on 1 tasks.`);
        this.serviceEvent(task.service!, `(service ${task.service!.name}) deregistered 1 targets in (target-group ${group.arn})`);
        group.deregister(target, done);
        return true;
      },
    });
    // ECS forgets stopped tasks after about an hour.
    timers.every(600_000, () => this.purgeStoppedTasks());
  }

  onTaskChange(listener: (task: Task) => void): void {
    this.taskListeners.push(listener);
  }

  onContainerInstanceChange(listener: (ci: ContainerInstance) => void): void {
    this.instanceListeners.push(listener);
  }

  onServiceChange(listener: (service: Service) => void): void {
    this.serviceListeners.push(listener);
  }

  /** UpdateService changed the service's settings. */
  serviceUpdated(service: Service): void {
    for (const l of this.serviceListeners) l(service);
  }

  // Lookups that answer as the API does.

  cluster(nameOrArn: string | undefined): Cluster {
    const name = lastSegment(nameOrArn ?? "default");
    const c = this.clusters.get(name);
    if (!c) throw new AwsServiceError("ClusterNotFoundException", "Cluster not found.");
    return c;
  }

  findContainerInstance(cluster: Cluster, idOrArn: string): ContainerInstance | undefined {
    const id = lastSegment(idOrArn);
    return cluster.containerInstances.find((ci) => ci.id === id);
  }

  findTask(cluster: Cluster, idOrArn: string): Task | undefined {
    const id = lastSegment(idOrArn);
    return cluster.tasks.find((t) => t.id === id);
  }

  findService(cluster: Cluster, nameOrArn: string): Service | undefined {
    const name = lastSegment(nameOrArn);
    return cluster.services.find((s) => s.name === name);
  }

  containerInstanceOf(instanceId: string): ContainerInstance | undefined {
    return this.byInstanceId.get(instanceId);
  }

  // Container instances.

  registerContainerInstance(clusterName: string, instance: Instance): ContainerInstance {
    const cluster = this.clusters.get(clusterName);
    if (!cluster) throw new Error(`instance ${instance.id} wants to join unknown cluster ${clusterName}`);
    const type = this.instanceTypes[instance.type];
    if (!type) throw new Error(`unknown instance type ${instance.type}`);
    const id = this.kernel.hex(32);
    const ci: ContainerInstance = {
      id,
      arn: this.kernel.arn("ecs", `container-instance/${cluster.name}/${id}`),
      cluster,
      instance,
      registeredCpu: type.cpu,
      registeredMemory: type.memory,
      registeredAt: this.kernel.now(),
      status: "ACTIVE",
      agentConnected: true,
      remainingCpu: type.cpu,
      remainingMemory: type.memory,
      version: 1,
      tasks: new Set(),
    };
    cluster.containerInstances.push(ci);
    this.byInstanceId.set(instance.id, ci);
    this.kernel.record("ecs", "instance-registered", `${instance.id} registered with cluster ${cluster.name} as ${id}`, { ec2InstanceId: instance.id, containerInstanceArn: ci.arn });
    this.instanceChanged(ci, false);
    return ci;
  }

  /** ACTIVE or DRAINING, as UpdateContainerInstancesState sets it. */
  setStatus(ci: ContainerInstance, status: ContainerInstanceStatus, why: string): void {
    if (ci.status === status || ci.status === "INACTIVE") return;
    const previous = ci.status;
    ci.status = status;
    this.kernel.record("ecs", "instance-status", `${ci.instance.id} ${previous} -> ${status} (${why})`, { ec2InstanceId: ci.instance.id, containerInstanceArn: ci.arn, status });
    this.instanceChanged(ci);
  }

  /** The agent lost its connection (its host is shutting down). */
  disconnectAgent(ci: ContainerInstance): void {
    if (!ci.agentConnected) return;
    ci.agentConnected = false;
    this.kernel.record("ecs", "agent-disconnected", `${ci.instance.id}: agent disconnected`, { containerInstanceArn: ci.arn });
    this.instanceChanged(ci);
  }

  /** The host's processes died now (shutting-down): every task on it loses its containers. */
  hostLost(ci: ContainerInstance): void {
    for (const task of ci.tasks) this.lifecycle.hostLost(task);
  }

  /** ECS learns the instance terminated: its tasks are STOPPED and it is deregistered (INACTIVE). */
  hostTerminated(ci: ContainerInstance): void {
    const reason = `Host EC2 (instance ${ci.instance.id}) terminated.`;
    for (const task of [...ci.tasks]) this.lifecycle.markStopped(task, "TerminationNotice", reason);
    ci.agentConnected = false;
    ci.status = "INACTIVE";
    this.kernel.record("ecs", "instance-status", `${ci.instance.id} -> INACTIVE (instance terminated)`, { containerInstanceArn: ci.arn, status: "INACTIVE" });
    this.instanceChanged(ci);
  }

  // Tasks.

  /** Places and starts a task, or reports why it cannot be placed. */
  runTask(req: NewTask): { task: Task } | { failure: Extract<PlacementResult, { ok: false }> } {
    const spec = req.definition.spec;
    const group = req.group ?? (req.service ? `service:${req.service.name}` : `family:${spec.family}`);
    let ci: ContainerInstance | undefined;
    let az: string;
    if (req.launchType === "EC2") {
      const strategy = req.service ? req.service.placementStrategy : DEFAULT_PLACEMENT;
      const placed = place({ cpu: spec.cpu, memory: spec.memory, group }, req.cluster.containerInstances, strategy, this.placementRandom);
      if (!placed.ok) return { failure: placed };
      ci = placed.instance;
      az = ci.instance.az;
    } else {
      az = placeFargate(group, this.stack.availabilityZones, req.cluster.tasks, this.placementRandom);
    }
    const id = this.kernel.hex(32);
    const capacityProviderName = req.service && req.service.capacityProviderStrategy.length > 0 ? this.capacityProviderFor(req.service) : undefined;
    const task: Task = {
      id,
      arn: this.kernel.arn("ecs", `task/${req.cluster.name}/${id}`),
      cluster: req.cluster,
      definition: req.definition,
      service: req.service,
      deployment: req.deployment,
      containerInstance: ci,
      availabilityZone: az,
      launchType: req.launchType,
      ...(capacityProviderName ? { capacityProviderName } : {}),
      ...(req.launchType === "FARGATE" ? { eni: this.newEni(az) } : {}),
      group,
      startedBy: req.startedBy ?? req.deployment?.id,
      createdAt: this.kernel.now(),
      containerArn: this.kernel.arn("ecs", `container/${req.cluster.name}/${id}/${this.kernel.uuid()}`),
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      version: 0,
      cancelTimers: [],
      hostLost: false,
      sidecars: [],
    };
    task.sidecars = this.sidecars(task);
    if (spec.app && req.service?.targetGroup) {
      task.app = this.traffic.createApp(req.service.name, spec.app, this.appRandom.fork(id), az, spec.cpu / 1024);
    }
    req.cluster.tasks.push(task);
    if (ci) {
      ci.tasks.add(task);
      ci.remainingCpu -= spec.cpu;
      ci.remainingMemory -= spec.memory;
    }
    this.kernel.record("ecs", "task-placed", `${id} (${group}) placed ${ci ? `on ${ci.instance.id}` : "on Fargate"} in ${az}`, { taskArn: task.arn, group });
    this.taskChanged(task);
    if (ci) this.instanceChanged(ci);
    this.lifecycle.launch(task);
    return { task };
  }

  stopTask(task: Task, stopCode: StopCode, reason: string): void {
    this.lifecycle.stop(task, stopCode, reason);
  }

  /**
   * Fargate Spot takes its capacity back: the two-minute warning goes out as a task state change
   * (desiredStatus STOPPED, stopCode and stoppedReason as documented) with SIGTERM to the task's
   * containers; SIGKILL follows after stopTimeout (at most 120 s, so within the warning). The
   * service scheduler sees desiredStatus STOPPED and starts a replacement.
   */
  interruptSpotTask(task: Task): boolean {
    if (task.capacityProviderName !== "FARGATE_SPOT" || task.desiredStatus === "STOPPED") return false;
    this.kernel.record("ecs", "spot-interruption", `${task.id}: Fargate Spot interruption warning`, { taskArn: task.arn });
    this.lifecycle.interrupt(task, "SpotInterruption", SPOT_INTERRUPTED_REASON);
    return true;
  }

  /**
   * Mounts each EFS volume through the mount target in the task's AZ (one NFS client per task);
   * the first that fails is the task's stoppedReason.
   */
  private mountVolumes(task: Task): string | undefined {
    for (const v of task.definition.spec.volumes) {
      const fs = this.fileSystem(v.efsVolumeConfiguration.fileSystem);
      if (!fs) return `ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve the file system of volume ${v.name}`;
      try {
        fs.mount(task.id, task.availabilityZone);
      } catch (err) {
        this.kernel.record("ecs", "efs-mount-failed", `${task.id}: volume ${v.name} (${fs.id}) did not mount: ${err instanceof Error ? err.message : String(err)}`, { taskArn: task.arn });
        return EFS_MOUNT_FAILED_REASON;
      }
    }
    return undefined;
  }

  /** Where a service's next task runs, by its capacity provider strategy and the tasks it runs now. */
  private capacityProviderFor(service: Service): FargateCapacityProvider {
    const running = new Map<FargateCapacityProvider, number>();
    for (const t of service.cluster.tasks) {
      if (t.service !== service || t.desiredStatus !== "RUNNING" || !t.capacityProviderName) continue;
      running.set(t.capacityProviderName, (running.get(t.capacityProviderName) ?? 0) + 1);
    }
    return pickCapacityProvider(service.capacityProviderStrategy, running);
  }

  /** An awsvpc task's ENI in the task's AZ's subnet, PRECREATED until the task has connectivity. */
  private newEni(az: string): EniAttachment {
    const subnets = this.stack.subnets ?? defaultSubnets(this.stack.availabilityZones);
    const octets = this.kernel.hex(6);
    const byte = (i: number) => parseInt(octets.slice(i * 2, i * 2 + 2), 16);
    return {
      id: this.kernel.uuid(),
      status: "PRECREATED",
      subnetId: subnetFor(subnets, az)?.id ?? subnets[0]?.id ?? "subnet-0sandbox",
      networkInterfaceId: `eni-${this.kernel.hex(17)}`,
      macAddress: `0a:${octets.match(/../g)!.slice(0, 5).join(":")}`,
      privateIPv4Address: `10.0.${byte(0) % 256}.${(byte(1) % 254) + 1}`,
    };
  }

  /** A task that failed to start or failed its health checks counts against its deployment. */
  taskFailed(task: Task): void {
    if (task.service && task.deployment) this.deployments.taskFailed(task.service, task.deployment);
  }

  /** Adds a service event (newest first, at most 100), as DescribeServices shows them. */
  serviceEvent(service: Service, message: string): void {
    service.events.unshift({ id: this.kernel.uuid(), createdAt: this.kernel.now(), message });
    if (service.events.length > 100) service.events.length = 100;
    this.kernel.record("ecs", "service-event", message, { service: service.name });
  }

  private release(task: Task): void {
    const ci = task.containerInstance;
    if (task.app && task.service) this.traffic.releaseApp(task.service.name, task.app);
    if (ci && ci.tasks.delete(task)) {
      ci.remainingCpu += task.definition.spec.cpu;
      ci.remainingMemory += task.definition.spec.memory;
      if (ci.status !== "INACTIVE") this.instanceChanged(ci);
    }
  }

  private taskChanged(task: Task): void {
    task.version++;
    const now = this.kernel.now();
    this.kernel.record("ecs", "task-state", `${task.id} ${task.lastStatus} (desired ${task.desiredStatus})${task.stoppedReason && task.lastStatus === "STOPPED" ? `: ${task.stoppedReason}` : ""}`, {
      taskArn: task.arn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
    });
    this.kernel.emit("aws.ecs", "ECS Task State Change", taskEventDetail(task, now), [task.arn]);
    for (const l of this.taskListeners) l(task);
  }

  private instanceChanged(ci: ContainerInstance, bump = true): void {
    if (bump) ci.version++;
    this.kernel.emit("aws.ecs", "ECS Container Instance State Change", containerInstanceEventDetail(ci, this.kernel.now()), [ci.arn]);
    for (const l of this.instanceListeners) l(ci);
  }

  private purgeStoppedTasks(): void {
    const cutoff = this.kernel.now() - STOPPED_TASK_RETENTION_MS;
    for (const c of this.clusters.values()) {
      const keep = c.tasks.filter((t) => t.lastStatus !== "STOPPED" || (t.stoppedAt ?? 0) > cutoff);
      if (keep.length !== c.tasks.length) c.tasks.splice(0, c.tasks.length, ...keep);
    }
  }
}
