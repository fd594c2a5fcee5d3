/**
 * The embedded sandbox: a deterministic simulation of the stack file's architecture that answers
 * the AWS APIs (ECS awsJson1_1, FIS restJson1) and moves on its own in the injected clock's time.
 * The CLI composes it: create, start, await ready, hand `dispatcher.dispatch` to the client factory
 * ({ kind: "local" }) and `traffic` to the probes, and stop at the end.
 */
import { dirname } from "node:path";
import { ListClustersCommand, type ECSClient } from "../aws/sdk/ecs.js";
import { AwsClients, LOCAL_CREDENTIALS } from "../aws/clients.js";
import { whileHolding, type Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { Kernel, type TraceEntry } from "./kernel.js";
import { Dispatcher } from "./protocol/dispatcher.js";
import { FisRegistry } from "./services/fis/registry.js";
import { FisService } from "./services/fis/service.js";
import type { Stack } from "./stack/schema.js";
import { Timers, letPromisesRun } from "./timers.js";
import { Ec2, type Instance } from "./services/ec2/instances.js";
import { AutoScalingGroup } from "./services/ec2/asg.js";
import { SpotInterrupter, type InterruptionAction, type Interruption } from "./services/ec2/spot.js";
import { answerImds, type ImdsAnswer } from "./services/ec2/imds.js";
import { registerEc2Fis } from "./services/ec2/fis.js";
import { ec2Api } from "./services/ec2/api.js";
import { ecsUserData } from "./services/ec2/user-data.js";
import { elbApi } from "./services/elb/api.js";
import { eventsApi } from "./services/events/api.js";
import { stsApi } from "./services/sts/api.js";
import { autoScalingApi } from "./services/autoscaling/api.js";
import { SnsTopics } from "./services/sns/topics.js";
import { snsApi } from "./services/sns/api.js";
import type { LifecycleAction } from "./services/autoscaling/lifecycle-action.js";
import { BUILTIN_LIFECYCLE_DRAIN, type HandlerTargetSpec } from "./stack/events.js";
import { HandlerLoadError } from "./services/events/module-environments.js";
import { DescribeAutoScalingGroupsCommand } from "../aws/sdk/autoscaling.js";
import { ListTopicsCommand } from "../aws/sdk/sns.js";
import { iamApi } from "./services/iam/api.js";
import { RoleDirectory } from "./services/iam/roles.js";
import { EcsControlPlane } from "./services/ecs/control-plane.js";
import { ecsApi } from "./services/ecs/api.js";
import { ServiceScheduler } from "./services/ecs/scheduler.js";
import { EcsAgents } from "./services/ecs/agent.js";
import { registerEcsFis } from "./services/ecs/fis.js";
import { registerKillProcess } from "./services/ecs/kill-process.js";
import { EventRouter } from "./services/events/router.js";
import { Invoker, type Invocation } from "./services/events/invoker.js";
import { TargetGroup } from "./workload/target-group.js";
import { Traffic } from "./workload/traffic.js";
import { serve, type Served } from "./serve.js";
import { KinesisService } from "./services/kinesis/index.js";
import { defaultSubnets, type SubnetSpec } from "./stack/network.js";
import { LogProducers, type LogProducerFactory } from "./workload/log-producers.js";
import { Sessions } from "./workload/sessions.js";
import { MetricStore } from "./services/cloudwatch/store.js";
import { CloudWatchService } from "./services/cloudwatch/service.js";
import { everyMinute } from "./metrics/period.js";
import { EcsMetricsPublisher, publishEcsMetrics } from "./metrics/ecs.js";
import type { EfsService } from "./services/efs/index.js";
import { registerEfsFis } from "./services/efs/fis.js";
import { absentEfsApi, absentLambdaApi } from "./services/absent.js";
import { HostFaults } from "./services/network/host-faults.js";
import type { LambdaService } from "./services/lambda/index.js";
import { registerLambdaFis } from "./services/lambda/fis.js";
import { Edge } from "./workload/edge.js";

export interface SandboxOptions {
  /** The parsed stack (loadStack); a `source` path, when present, is where module handler paths resolve from. */
  stack: Stack & { readonly source?: string };
  /** VirtualClock by default, ScaledClock for --speed. */
  clock: Clock;
  /** The run's seeded random; every actor forks its own stream. */
  random: Random;
  /** Extra handler modules (paths, relative to the working directory) that receive spot interruption warnings. */
  handlers?: string[];
  /** Extra handler modules (paths, relative to the working directory) subscribed to the SNS topics terminating lifecycle hooks notify. */
  lifecycleHandlers?: string[];
  log?: (entry: TraceEntry) => void;
  /** Builds the shipper each logging task runs; required when the stack has a logging section. */
  logProducers?: LogProducerFactory;
  /** Keep a log of every web request, which `traffic.stats()` reads (the sandbox's tests and benches); off by default. */
  requestLog?: boolean;
}

/** The services only some stacks declare, loaded only for those. */
interface OptionalServices {
  efs?: typeof import("./services/efs/index.js");
  lambda?: typeof import("./services/lambda/index.js");
}

/**
 * Imports the EFS and Lambda services when the stack declares them: together about 30 modules
 * (WordPress's workload among them) that an ECS stack, the default one included, never runs.
 * Their FIS actions are registered either way (registerEfsFis, registerLambdaFis): every stack's
 * FIS knows the whole catalog, and answers for a resource the stack lacks as AWS would.
 */
async function optionalServices(stack: Stack): Promise<OptionalServices> {
  const [efs, lambda] = await Promise.all([stack.efs ? import("./services/efs/index.js") : undefined, stack.lambdas ? import("./services/lambda/index.js") : undefined]);
  return { ...(efs ? { efs } : {}), ...(lambda ? { lambda } : {}) };
}

export interface ReadyOptions {
  /** Virtual (or scaled) milliseconds to wait before giving up; 30 minutes by default. */
  within?: number;
}

/**
 * Lateness of the sandbox's own events worth telling the user about (at most once a minute).
 * Probes judge at a second's grain (request-log buckets, metric periods), so a second late starts
 * to shift what they see.
 */
const BEHIND_MS = 1_000;

const SPOT_WARNING_PATTERN = { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] };

export class Sandbox {
  readonly kernel: Kernel;
  readonly dispatcher = new Dispatcher();
  readonly fis = new FisRegistry();
  readonly traffic: Traffic;
  readonly ec2: Ec2;
  readonly ecs: EcsControlPlane;
  readonly scheduler: ServiceScheduler;
  readonly autoScalingGroups: AutoScalingGroup[];
  /** SNS topics (events.topics): lifecycle hooks' notification targets. */
  readonly sns: SnsTopics;
  readonly spot: SpotInterrupter;
  readonly fisService: FisService;
  /** Present when the stack declares Kinesis streams. */
  readonly kinesis: KinesisService | undefined;
  readonly subnets: SubnetSpec[];
  /** Present when the stack declares EFS file systems. */
  readonly efs: EfsService | undefined;
  /** FIS network faults in force on tasks and instances (aws:ecs:task-network-*, aws:ssm:send-command). */
  readonly hostFaults = new HostFaults();
  /** Present when the stack declares Lambda functions. */
  readonly lambda: LambdaService | undefined;
  /** HTTP APIs, CloudFront distributions and their viewers (empty maps when the stack has none). */
  readonly edge: Edge;
  /** CloudWatch's metric storage: the MetricSink the sandbox's services publish into. */
  readonly metrics: MetricStore;
  /** CloudWatch's API and alarms over `metrics`. */
  readonly cloudwatch: CloudWatchService;
  /** Every handler invocation so far, in order. */
  readonly invocations: Invocation[] = [];
  readonly stack: Stack;
  private readonly timers: Timers;
  private readonly router: EventRouter;
  private readonly clients: AwsClients;
  private served: Promise<Served> | undefined;
  private invoker: Invoker | undefined;
  private started = false;
  private readonly sessions: Sessions;

  private constructor(options: SandboxOptions, optional: OptionalServices) {
    const { stack, clock, random } = options;
    // Checked before anything arms a timer: a half-built sandbox on a real clock would keep the process alive.
    if (stack.logging.length > 0 && !options.logProducers) {
      throw new Error("the stack's logging section needs a log producer factory (SandboxOptions.logProducers)");
    }
    this.stack = stack;
    this.kernel = new Kernel({ clock, random, region: stack.region, accountId: stack.accountId });
    this.metrics = new MetricStore(() => this.kernel.now());
    if (options.log) this.kernel.trace.onRecord(options.log);
    this.timers = new Timers(clock);
    this.cloudwatch = new CloudWatchService({ now: () => this.kernel.now(), region: this.kernel.region, accountId: this.kernel.accountId }, this.timers, this.metrics);
    this.dispatcher.addJsonService(this.cloudwatch.json);
    this.timers.watchLateness(BEHIND_MS, 60_000, (late) =>
      this.kernel.record("sandbox", "behind", `fell behind real time: events ran up to ${(late / 1000).toFixed(1)} s late (this process cannot keep up at this speed); timings measured now are stretched by as much, try a lower --speed`, { lateMs: late }),
    );

    this.traffic = new Traffic(this.kernel, this.timers, random.fork("traffic"), this.metrics, { requestLog: options.requestLog === true });
    this.metrics.onBeforeRead(() => this.traffic.publishLoad());
    for (const s of stack.services) {
      if (s.targetGroup === undefined) continue;
      const spec = stack.targetGroups.find((g) => g.name === s.targetGroup)!;
      this.traffic.addService(s.name, new TargetGroup(spec, this.kernel, this.timers), stack.load[s.name] ?? []);
    }

    this.ec2 = new Ec2(this.kernel, this.timers);
    const zones = stack.availabilityZones;
    this.autoScalingGroups = stack.autoScalingGroups.map((spec) => new AutoScalingGroup(spec, spec.availabilityZones ?? zones, this.kernel, this.timers, this.ec2));
    const groupOf = (i: Instance) => this.autoScalingGroups.find((g) => g.spec.name === i.autoScalingGroup);
    this.spot = new SpotInterrupter(this.kernel, this.timers, this.ec2, (i) => groupOf(i)?.spec.timing.shutdown ?? 10_000);

    this.ecs = new EcsControlPlane(this.kernel, this.timers, stack, this.traffic);
    this.dispatcher.addJsonService(ecsApi(this.ecs));
    this.scheduler = new ServiceScheduler(this.timers, this.ecs);
    const ecsMetrics = publishEcsMetrics(new EcsMetricsPublisher(this.metrics), () => this.ecs.clusters.values(), () => this.kernel.now());
    this.ecs.onTaskChange(ecsMetrics.taskChanged);
    everyMinute(this.timers, ecsMetrics.minute);
    new EcsAgents(this.kernel, this.timers, this.ec2, this.ecs, this.dispatcher.dispatch, (i) => {
      const g = groupOf(i);
      return g ? { cluster: g.spec.cluster, registrationDelayMs: g.spec.timing.agentRegistration } : undefined;
    });

    this.subnets = stack.subnets ?? defaultSubnets(zones);
    if (stack.kinesis) {
      const kinesis = new KinesisService(this.kernel, { ...stack.kinesis, subnets: this.subnets.map((s) => ({ id: s.id, az: s.az, ...(s.tags ? { tags: s.tags } : {}) })) }, this.metrics);
      this.kinesis = kinesis;
      everyMinute(this.timers, () => kinesis.publishMetrics());
      this.dispatcher.addJsonService(this.kinesis.json);
      this.dispatcher.intercept(this.kinesis.interceptor);
      this.kinesis.registerFis(this.fis);
    } else {
      this.kinesis = undefined;
    }

    if (stack.efs && optional.efs) {
      const { EfsService, efsApi } = optional.efs;
      const efs = new EfsService(this.kernel, stack.efs, this.subnets, this.metrics);
      this.efs = efs;
      // Fargate tasks mount their EFS volumes through it.
      this.ecs.fileSystem = (name) => efs.byName(name);
      everyMinute(this.timers, () => efs.publishMetrics());
      this.dispatcher.addRestService(efsApi(this.kernel, efs));
    } else {
      this.efs = undefined;
      this.dispatcher.addRestService(absentEfsApi());
    }
    registerLambdaFis(this.fis, () => this.lambda);
    registerEfsFis(this.fis, () => this.efs, () => this.lambda);
    if (stack.lambdas && optional.lambda) {
      const { LambdaService, lambdaApi } = optional.lambda;
      const lambda = new LambdaService(this.kernel, stack.lambdas, [...new Set(this.subnets.map((s) => s.az))], this.efs, this.metrics);
      this.lambda = lambda;
      lambda.vpcSubnets = [...new Set(this.subnets.map((s) => s.az))].map((az) => this.subnets.find((s) => s.az === az)!.id);
      everyMinute(this.timers, () => lambda.minute());
      this.dispatcher.addRestService(lambdaApi(this.kernel, lambda));
    } else {
      this.lambda = undefined;
      this.dispatcher.addRestService(absentLambdaApi(this.kernel));
    }
    this.edge = new Edge(stack, this.kernel, this.timers, random.fork("edge"), this.lambda, this.metrics);
    this.traffic.attach(this.edge);
    this.metrics.onBeforeRead(() => this.edge.publishLoad());

    if (stack.logging.length > 0 && options.logProducers) {
      const producers = new LogProducers(this.kernel, this.timers, stack.logging, stack.kinesis?.roles ?? [], this.subnets, options.logProducers, this.metrics);
      this.ecs.sidecars = (task) => producers.forTask(task);
      this.ec2.onStateChange((instance) => {
        if (instance.state === "terminated") producers.hostGone(instance.id);
      });
    }

    // The query-protocol APIs (EC2, STS, IAM): read-only views an operator (and gameday's planner) uses.
    const clusterOf = (i: Instance) => stack.clusters.find((c) => c.name === groupOf(i)?.spec.cluster);
    this.dispatcher.addQueryService(ec2Api(this.kernel, this.ec2, (i) => {
      const cluster = clusterOf(i);
      return cluster ? ecsUserData(cluster) : undefined;
    }));
    const roles = this.kinesis?.roles ?? new RoleDirectory(this.kernel, []);
    this.dispatcher.addQueryService(stsApi(this.kernel, roles));
    this.dispatcher.addQueryService(iamApi(roles));
    // Auto Scaling: groups, lifecycle hooks and scale-in, as a drain handler and the scale-in fault use them.
    this.dispatcher.addQueryService(autoScalingApi(this.kernel, this.ec2, this.autoScalingGroups));
    this.sns = new SnsTopics(this.kernel, this.timers, stack.events.delivery);
    for (const t of stack.events.topics) this.sns.add(t.name);
    this.dispatcher.addQueryService(snsApi(this.sns));
    for (const g of this.autoScalingGroups) g.lifecycleListeners.push((action) => this.notifyLifecycle(g.spec.name, action));

    // Read-only views `chaos lint` and operators use: load balancers and EventBridge rules.
    this.dispatcher.addQueryService(elbApi(this.kernel, () => this.traffic.loadBalanced().map((s) => ({ group: this.traffic.group(s)!, zones }))));
    this.dispatcher.addJsonService(eventsApi(this.kernel, stack.events.rules));

    registerEc2Fis(this.fis, this.ec2, this.spot);
    registerEcsFis(this.fis, this.ecs);
    registerKillProcess(this.fis, this.ecs);
    // FIS network faults inside tasks and on hosts (efs-latency, efs-mount-loss): books kept only.
    this.hostFaults.register(this.fis, this.ecs);
    this.fisService = new FisService(this.kernel, this.fis, this.cloudwatch.alarms);
    this.dispatcher.addRestService(this.fisService.rest);

    this.sessions = new Sessions(this.kernel, this.timers, this.ecs, stack.sessions, random.fork("sessions"));

    this.router = new EventRouter(this.kernel, this.timers, stack.events.delivery);
    this.clients = new AwsClients({ kind: "local", region: stack.region, dispatch: this.dispatcher.dispatch }, { clock, random: random.fork("handler-clients") });
  }

  static async create(options: SandboxOptions): Promise<Sandbox> {
    // Loading modules is real I/O: virtual time stands still meanwhile.
    const sandbox = new Sandbox(options, await whileHolding(options.clock, () => optionalServices(options.stack)));
    try {
      await sandbox.wireHandlers(options);
    } catch (err) {
      await sandbox.stop();
      throw err;
    }
    return sandbox;
  }

  /** Launches the instances, places the services' tasks and starts the load: the stack comes up in the clock's time. */
  start(): void {
    if (this.started) throw new Error("the sandbox is already started");
    this.started = true;
    this.router.start();
    this.scheduler.start();
    for (const g of this.autoScalingGroups) g.start();
    this.traffic.start();
    this.edge.start();
    this.sessions.start();
    this.kernel.record("sandbox", "start", `stack up: ${this.autoScalingGroups.reduce((n, g) => n + g.spec.onDemand.count + g.spec.spot.count, 0)} instances, ${this.stack.services.length} services`);
  }

  /** Resolves when every service runs its desired count of healthy tasks (targets healthy behind a load balancer). */
  ready(options: ReadyOptions = {}): Promise<void> {
    if (!this.started) return Promise.reject(new Error("ready() before start(): call start() first"));
    const within = options.within ?? 1_800_000;
    const deadline = this.kernel.now() + within;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const waiting = this.notReady();
        if (waiting.length === 0) {
          stop();
          resolve();
        } else if (this.kernel.now() >= deadline) {
          stop();
          reject(new Error(`the sandbox stack did not come up within ${within / 1000} s: ${waiting.join("; ")}`));
        } else return false;
        letPromisesRun(this.kernel.clock);
        return true;
      };
      const stop = this.timers.every(1_000, () => void check());
      check();
    });
  }

  /** What keeps the stack from being ready, one phrase per service; empty when ready. */
  notReady(): string[] {
    const out: string[] = [];
    for (const cluster of this.ecs.clusters.values()) {
      for (const s of cluster.services) {
        const healthy = cluster.tasks.filter((t) => t.service === s && this.scheduler.isHealthy(t)).length;
        if (healthy < s.desiredCount || !s.steady) out.push(`service ${s.name}: ${healthy} of ${s.desiredCount} tasks running and healthy${s.lastPlacementFailure ? ` (${s.lastPlacementFailure})` : ""}`);
      }
    }
    return out;
  }

  /** Cancels every timer, stops the load and closes serve mode. */
  async stop(): Promise<void> {
    this.traffic.stop();
    this.edge.stop();
    this.sessions.stop();
    this.scheduler.stop();
    this.router.stop();
    for (const g of this.autoScalingGroups) g.stop();
    this.timers.stopAll();
    if (this.served) await (await this.served).close();
    this.served = undefined;
    await this.invoker?.close();
    await this.clients.destroy();
  }

  /** IMDS as the instance sees it; throws ImdsUnreachable for an unknown or no-longer-running instance. */
  imds(instanceId: string, path: string): ImdsAnswer {
    return answerImds(this.ec2, instanceId, path);
  }

  /** Sends a spot interruption as FIS would (the same path the FIS action takes). */
  interruptSpot(instanceId: string, durationBeforeInterruptionMs: number, action: InterruptionAction = "terminate"): Interruption {
    return this.spot.interrupt(instanceId, durationBeforeInterruptionMs, action);
  }

  /** The region the sandbox's resources are in: its stack's `region:`. */
  get region(): string {
    return this.kernel.region;
  }

  /** Serve mode on an ephemeral port, started once; used for module handlers. */
  endpoint(): Promise<string> {
    this.served ??= serve(this, { port: 0 });
    return this.served.then((s) => s.url);
  }

  private async wireHandlers(options: SandboxOptions): Promise<void> {
    const rules = this.stack.events.rules.map((r) => ({
      ...r,
      baseDir: options.stack.source ? dirname(options.stack.source) : process.cwd(),
      label: `${options.stack.source ? `${options.stack.source}: ` : ""}rule ${r.name}: handler ${r.target.handler}`,
    }));
    for (const [i, path] of (options.handlers ?? []).entries()) {
      rules.push({ name: `cli-handler-${i + 1}`, pattern: SPOT_WARNING_PATTERN, target: { handler: path, timeout: 3_000, environment: {} }, baseDir: process.cwd(), label: `--handler ${path}` });
    }
    const topics = this.stack.events.topics;
    const userSubscribers = this.lifecycleSubscribers(options.lifecycleHandlers ?? []);
    if (rules.length === 0 && userSubscribers.length === 0 && topics.every((t) => t.subscribers.length === 0)) return;
    // Built and used once now: the SDK loads parts of itself lazily on its first call (real I/O).
    // Done before any virtual time passes, invocations then run on promise continuations alone.
    const ecs: ECSClient = await this.clients.ecs();
    await ecs.send(new ListClustersCommand({}));
    const lifecycle = topics.some((t) => t.subscribers.some((s) => s.handler === BUILTIN_LIFECYCLE_DRAIN)) ? await this.lifecycleClients() : undefined;
    const invoker = (this.invoker = new Invoker({
      kernel: this.kernel,
      timers: this.timers,
      ecs,
      ...(lifecycle ? { lifecycle } : {}),
      awsEnvironment: () => this.moduleEnvironment(),
      onInvocation: (inv) => this.invocations.push(inv),
    }));
    for (const r of rules) {
      const deliver = await invoker.prepare(r.name, r.target, r.baseDir, r.label);
      this.router.addRule({ name: r.name, pattern: r.pattern, deliver });
    }
    const baseDir = options.stack.source ? dirname(options.stack.source) : process.cwd();
    for (const t of topics) {
      for (const target of t.subscribers) {
        const label = `${options.stack.source ? `${options.stack.source}: ` : ""}topic ${t.name}: subscriber ${target.handler}`;
        this.sns.subscribe(t.name, await invoker.prepareSubscriber(t.name, target, baseDir, label));
      }
    }
    for (const s of userSubscribers) this.sns.subscribe(s.topic, await invoker.prepareSubscriber(s.topic, s.target, process.cwd(), s.label));
  }

  /**
   * --lifecycle-handler modules: each subscribes, as a Lambda with Lambda's default 3 s timeout, to
   * every topic a terminating lifecycle hook notifies, as a team's drain Lambda would be.
   */
  private lifecycleSubscribers(paths: readonly string[]): { topic: string; target: HandlerTargetSpec; label: string }[] {
    if (paths.length === 0) return [];
    const topics = new Set<string>();
    for (const g of this.stack.autoScalingGroups) for (const h of g.lifecycleHooks) if (h.notificationTarget !== undefined) topics.add(h.notificationTarget);
    if (topics.size === 0) throw new HandlerLoadError(`--lifecycle-handler ${paths[0]}: expected a stack whose Auto Scaling group has a terminating lifecycle hook with an SNS notificationTarget, found none`);
    return [...topics].flatMap((topic) => paths.map((path) => ({ topic, target: { handler: path, timeout: 3_000, environment: {} }, label: `--lifecycle-handler ${path}` })));
  }

  /** In-process Auto Scaling and SNS clients, each used once now for the same reason as the ECS client. */
  private async lifecycleClients() {
    const autoScaling = await this.clients.autoScaling();
    await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    const sns = await this.clients.sns();
    await sns.send(new ListTopicsCommand({}));
    return { autoScaling, sns };
  }

  /** A hook with an SNS notification target publishes the message Auto Scaling sends there. */
  private notifyLifecycle(group: string, action: LifecycleAction): void {
    const topic = action.hook.notificationTarget;
    if (topic === undefined) return;
    const message = {
      Origin: "AutoScalingGroup",
      Destination: "EC2",
      Service: "AWS Auto Scaling",
      Time: this.kernel.iso(),
      RequestId: action.token,
      AccountId: this.kernel.accountId,
      ...action.detail(),
      AutoScalingGroupName: group,
    };
    this.sns.publish(this.sns.arnOf(topic), JSON.stringify(message), `Auto Scaling:  Lifecycle action 'TERMINATING' for instance ${action.instanceId} in progress.`);
  }

  /** Starts serve mode; what a module's environment needs for its own SDK clients to reach the sandbox unmodified. */
  private async moduleEnvironment(): Promise<Record<string, string>> {
    return {
      AWS_ENDPOINT_URL: await this.endpoint(),
      AWS_REGION: this.stack.region,
      AWS_DEFAULT_REGION: this.stack.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
  }
}

export { serve } from "./serve.js";
