/**
 * The reference Auto Scaling lifecycle drain handler, in the seed's shape (keichan34's
 * ecs-asg-container-instance-draining): a Lambda subscribed to the SNS topic a terminating
 * lifecycle hook notifies. It sets the instance's ECS container instance to DRAINING; while tasks
 * still run there it waits a little and re-publishes the message to the same topic (one
 * invocation per check, so no Lambda runs for the whole drain); once no task runs it completes
 * the lifecycle action with CONTINUE.
 *
 * What it does that the seed's Lambda did not (seed-patterns.md §2):
 * - counts every task that has not STOPPED, also those already told to stop but still shutting
 *   down (ListTasks' default, desiredStatus RUNNING, misses them);
 * - records a lifecycle heartbeat before each re-publish, so a long drain does not run into the
 *   heartbeat timeout (the seed's hook hit its 900 s ceiling and ABANDONed);
 * - stops re-publishing once the instance has left Terminating:Wait (Dwolla's guard): a hook that
 *   timed out, or a Complete from elsewhere, ends the loop instead of polling for ever;
 * - ignores the test notification and other transitions instead of crashing on a missing key;
 * - an instance in none of the clusters: completes at once (nothing to drain), and says so.
 * The EventBridge form of the event (`detail` instead of an SNS envelope) is accepted too; it
 * cannot be re-published, so it only drains and heartbeats, and completes when nothing runs.
 */
import { CompleteLifecycleActionCommand, DescribeAutoScalingInstancesCommand, RecordLifecycleActionHeartbeatCommand, type AutoScalingClient } from "../aws/sdk/autoscaling.js";
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, UpdateContainerInstancesStateCommand, type ECSClient } from "../aws/sdk/ecs.js";
import { PublishCommand, type SNSClient } from "../aws/sdk/sns.js";
import { RealClock } from "../time/clock.js";

export const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

export interface LifecycleDrainOptions {
  ecs: ECSClient;
  autoScaling: AutoScalingClient;
  sns: SNSClient;
  /** Cluster names to look in (CLUSTERS). */
  clusters: string[];
  /** Waits before a re-publish; on Lambda a plain timer, in the sandbox its clock. */
  sleep(ms: number): Promise<void>;
  log?: (message: string) => void;
  /** The longest wait before a re-publish (30 s, as the seed's). */
  maxDelayMs?: number;
}

export interface LifecycleMessage {
  EC2InstanceId?: string;
  AutoScalingGroupName?: string;
  LifecycleHookName?: string;
  LifecycleTransition?: string;
  LifecycleActionToken?: string;
  /** Added by this handler: how many times the message was re-published. */
  RetryCount?: number;
  [key: string]: unknown;
}

export interface LifecycleDrainOutcome {
  instanceId?: string;
  /** completed: CompleteLifecycleAction CONTINUE was called; republished: tasks still run; stopped: the instance left the wait; ignored. */
  action: "completed" | "republished" | "stopped" | "ignored" | "waiting";
  tasksLeft?: number;
  retry?: number;
  note?: string;
}

/** The notification, from an SNS envelope or an EventBridge event, and the topic to re-publish to. */
function unwrap(event: unknown): { message: LifecycleMessage; topicArn?: string; subject?: string } {
  const sns = (event as { Records?: { Sns?: { Message?: string; TopicArn?: string; Subject?: string } }[] })?.Records?.[0]?.Sns;
  if (sns && typeof sns.Message === "string") {
    return { message: JSON.parse(sns.Message) as LifecycleMessage, ...(sns.TopicArn ? { topicArn: sns.TopicArn } : {}), ...(sns.Subject ? { subject: sns.Subject } : {}) };
  }
  return { message: ((event as { detail?: LifecycleMessage })?.detail ?? {}) as LifecycleMessage };
}

export async function drainOnLifecycleAction(event: unknown, o: LifecycleDrainOptions): Promise<LifecycleDrainOutcome> {
  const log = o.log ?? ((m: string) => console.log(m));
  const { message, topicArn, subject } = unwrap(event);
  if (message.LifecycleTransition !== TERMINATING || typeof message.EC2InstanceId !== "string") {
    const note = `not a terminating lifecycle action (transition ${String(message.LifecycleTransition)}, event ${String(message.Event ?? "")})`;
    log(note);
    return { action: "ignored", note };
  }
  const instanceId = message.EC2InstanceId;
  const retry = message.RetryCount ?? 0;
  const action = { AutoScalingGroupName: message.AutoScalingGroupName, LifecycleHookName: message.LifecycleHookName, InstanceId: instanceId };

  // The hook may have timed out, or someone completed it: then there is nothing left to do.
  const state = (await o.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }))).AutoScalingInstances?.[0]?.LifecycleState;
  if (state !== "Terminating:Wait") {
    log(`${instanceId} is ${state ?? "no longer in its group"}: not waiting on the hook any more`);
    return { instanceId, action: "stopped", retry, note: `lifecycle state ${state ?? "gone"}` };
  }

  const found = await findAndDrain(o, instanceId);
  const tasksLeft = found ? await tasksNotStopped(o.ecs, found.cluster, found.arn) : 0;
  if (tasksLeft === 0) {
    await o.autoScaling.send(new CompleteLifecycleActionCommand({ ...action, LifecycleActionResult: "CONTINUE" }));
    const note = found ? `no task runs on it in ${found.cluster}` : `not in ${o.clusters.join(", ")}: nothing to drain`;
    log(`${instanceId}: ${note}; lifecycle action completed (CONTINUE) after ${retry} re-publish(es)`);
    return { instanceId, action: "completed", tasksLeft: 0, retry, note };
  }
  await o.autoScaling.send(new RecordLifecycleActionHeartbeatCommand(action));
  if (!topicArn) {
    log(`${instanceId}: ${tasksLeft} task(s) still run; heartbeat recorded (an EventBridge event cannot be re-published)`);
    return { instanceId, action: "waiting", tasksLeft, retry };
  }
  // The seed's backoff, without its jitter: 2, 4, 8, 16, 30, 30 ... seconds.
  const delay = Math.min(2 ** (retry + 1) * 1000, o.maxDelayMs ?? 30_000);
  await o.sleep(delay);
  await o.sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ ...message, RetryCount: retry + 1 }), Subject: subject ?? "Publishing SNS message to invoke lambda again.." }));
  log(`${instanceId}: ${tasksLeft} task(s) still run; heartbeat recorded, re-published after ${delay / 1000} s (retry ${retry + 1})`);
  return { instanceId, action: "republished", tasksLeft, retry: retry + 1 };
}

/** The instance's container instance in the first cluster that has it, set DRAINING if it is not. */
async function findAndDrain(o: LifecycleDrainOptions, instanceId: string): Promise<{ cluster: string; arn: string } | undefined> {
  for (const cluster of o.clusters) {
    const arn = (await o.ecs.send(new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}` }))).containerInstanceArns?.[0];
    if (!arn) continue;
    const ci = (await o.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances?.[0];
    if (ci?.status === "ACTIVE") {
      const out = await o.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [arn], status: "DRAINING" }));
      const failure = out.failures?.[0];
      if (failure) throw new Error(`draining ${instanceId} in ${cluster} failed: ${failure.reason ?? "unknown"}${failure.detail ? ` (${failure.detail})` : ""}`);
    }
    return { cluster, arn };
  }
  return undefined;
}

/** Tasks on the container instance whose last status is not STOPPED, whatever they were told. */
async function tasksNotStopped(ecs: ECSClient, cluster: string, containerInstance: string): Promise<number> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, containerInstance, desiredStatus, ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  let left = 0;
  for (let i = 0; i < arns.length; i += 100) {
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? [];
    left += tasks.filter((t) => t.lastStatus !== "STOPPED").length;
  }
  return left;
}

let fromEnvironment: LifecycleDrainOptions | undefined;
const wall = new RealClock();

/** The deployable Lambda handler: clusters from CLUSTERS, clients from the environment. */
export async function handler(event: unknown): Promise<LifecycleDrainOutcome> {
  if (!fromEnvironment) {
    const [{ ECSClient }, { AutoScalingClient }, { SNSClient }] = await Promise.all([import("@aws-sdk/client-ecs"), import("@aws-sdk/client-auto-scaling"), import("@aws-sdk/client-sns")]);
    fromEnvironment = {
      ecs: new ECSClient({}),
      autoScaling: new AutoScalingClient({}),
      sns: new SNSClient({}),
      clusters: (process.env.CLUSTERS ?? process.env.CLUSTER_NAME ?? "").split(",").map((c) => c.trim()).filter(Boolean),
      // A deployed Lambda waits in real time (the sandbox passes its own clock instead).
      sleep: (ms) => wall.sleep(ms),
    };
  }
  return drainOnLifecycleAction(event, fromEnvironment);
}

export default handler;
