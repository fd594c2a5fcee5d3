/**
 * `--lifecycle-handler` as a user meets it: a team's own lifecycle drain Lambda, subscribed to the
 * SNS topic the terminating lifecycle hook notifies (the seed's setup: "Lambda is subscribed to this
 * topic ... If the instance has zero running tasks, Lambda tells the Autoscaling Group to continue",
 * and cloudwatch-and-deployments.md §8), on a stack whose hook has no subscriber of its own. A
 * handler that drains before it completes holds asg-scale-in; one that completes at once lets the
 * termination cut a task short.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chaos, REPO, scratch, start } from "./cli.js";

vi.setConfig({ testTimeout: 300_000 });

const WATCHDOG_MS = 200_000;
const STACK = join(REPO, "fixtures", "stacks", "asg-lifecycle-no-drain.yaml");
/** A team's lifecycle drain Lambda in the seed's shape. */
const DRAIN = `// A team's lifecycle drain Lambda in the seed's shape: drain, and while tasks have not stopped,
// heartbeat and re-publish the message; complete with CONTINUE once none is left.
import { ECSClient, ListContainerInstancesCommand, UpdateContainerInstancesStateCommand, ListTasksCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { AutoScalingClient, CompleteLifecycleActionCommand, RecordLifecycleActionHeartbeatCommand } from "@aws-sdk/client-auto-scaling";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
const ecs = new ECSClient({});
const asg = new AutoScalingClient({});
const sns = new SNSClient({});
export async function handler(event) {
  const { Message, TopicArn, Subject } = event.Records[0].Sns;
  const m = JSON.parse(Message);
  if (m.LifecycleTransition !== "autoscaling:EC2_INSTANCE_TERMINATING") return "ignored";
  const action = { AutoScalingGroupName: m.AutoScalingGroupName, LifecycleHookName: m.LifecycleHookName, LifecycleActionToken: m.LifecycleActionToken };
  const list = await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "ec2InstanceId == " + m.EC2InstanceId }));
  const instance = list.containerInstanceArns[0];
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [instance], status: "DRAINING" }));
  const arns = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"]) arns.push(...(await ecs.send(new ListTasksCommand({ cluster: "prod", containerInstance: instance, desiredStatus }))).taskArns);
  const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: arns }))).tasks : [];
  const left = tasks.filter((t) => t.lastStatus !== "STOPPED").length;
  if (left === 0) {
    await asg.send(new CompleteLifecycleActionCommand({ ...action, LifecycleActionResult: "CONTINUE" }));
    return { completed: m.EC2InstanceId };
  }
  await asg.send(new RecordLifecycleActionHeartbeatCommand(action));
  await sns.send(new PublishCommand({ TopicArn, Message, Subject }));
  return { waiting: left };
}
`;

/** A handler that does not drain. */
const COMPLETE_AT_ONCE = `// Completes the lifecycle action at once, without draining: the instance goes with its tasks.
import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
const asg = new AutoScalingClient({});
export async function handler(event) {
  const m = JSON.parse(event.Records[0].Sns.Message);
  if (m.LifecycleTransition !== "autoscaling:EC2_INSTANCE_TERMINATING") return "ignored";
  await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: m.AutoScalingGroupName, LifecycleHookName: m.LifecycleHookName, LifecycleActionToken: m.LifecycleActionToken, LifecycleActionResult: "CONTINUE" }));
  return { completed: m.EC2InstanceId };
}
`;

let handlers: string;
beforeAll(() => {
  handlers = scratch();
  // The handlers import the AWS SDK as a deployed function would.
  symlinkSync(join(REPO, "node_modules"), join(handlers, "node_modules"));
  writeFileSync(join(handlers, "lifecycle-drain.mjs"), DRAIN);
  writeFileSync(join(handlers, "lifecycle-complete-at-once.mjs"), COMPLETE_AT_ONCE);
});
const handler = (name: string) => join(handlers, name);

/** `chaos <args>` in `dir`, with the latest journal's verdict and replay command. */
async function chaosIn(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; verdict: string; replay: string }> {
  const child = start(args, { cwd: dir });
  const watchdog = setTimeout(() => child.child.kill("SIGKILL"), WATCHDOG_MS);
  const r = await child.done.finally(() => clearTimeout(watchdog));
  expect(r.signal, r.stdout.slice(-3000)).toBeNull();
  const { verdict, replay } = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")).gameday;
  return { ...r, verdict, replay };
}

function run(args: string[]): ReturnType<typeof chaosIn> {
  return chaosIn(scratch(), ["run", "asg-scale-in", "--stack", STACK, ...args, "--seed", "7", "--log-format", "plain"]);
}

describe("chaos run asg-scale-in --lifecycle-handler", () => {
  it("with a handler that drains, heartbeats and re-publishes until no task is left: holds", async () => {
    const r = await run(["--lifecycle-handler", handler("lifecycle-drain.mjs")]);
    expect(r.stderr).toBe("");
    expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual(["held", 0]);
    expect(r.stdout).toMatch(/topic asg-lifecycle: .*lifecycle-drain\.mjs ok for SNS asg-lifecycle/);
    expect(r.stdout).toMatch(/drained-before-terminated: i-\w+ left Terminating:Wait after about \d+ s \(Terminating:Proceed\); 0 task\(s\) not yet stopped; before the heartbeat timeout/);
  });

  it("with a handler that completes the action at once: a task is cut short and the run does not hold", async () => {
    const r = await run(["--lifecycle-handler", handler("lifecycle-complete-at-once.mjs")]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/topic asg-lifecycle: .*lifecycle-complete-at-once\.mjs ok for SNS asg-lifecycle/);
    expect(r.stdout).toMatch(/drained-before-terminated \(on-chaos\) tasksCutShort was 1, expected 0/);
    // The cut-short task's requests fail: the web SLO's stop condition ends the run.
    expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual(["aborted", 3]);
  });

  it("records the handler in the run's replay command, relative to where the run was started: the replay is aborted too (exit 3)", async () => {
    // As a user would: the handler in the working directory, named by a relative path.
    const dir = scratch();
    symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
    mkdirSync(join(dir, "handlers"));
    const file = join(dir, "handlers", "complete-at-once.mjs");
    writeFileSync(file, COMPLETE_AT_ONCE);
    const first = await chaosIn(dir, ["run", "asg-scale-in", "--stack", STACK, "--lifecycle-handler", join("handlers", "complete-at-once.mjs"), "--seed", "7", "--log-format", "plain"]);
    expect([first.verdict, first.code], first.stdout.slice(-3000)).toEqual(["aborted", 3]);

    // No word needs quoting here (scratch and repository paths have no spaces): split on spaces.
    expect(first.replay).not.toMatch(/['"\\]/);
    const [command, ...args] = first.replay.split(" ");
    expect(command).toBe("chaos");
    const at = args.indexOf("--lifecycle-handler");
    expect(at, first.replay).toBeGreaterThan(0);
    expect(resolve(dir, args[at + 1]!)).toBe(file);

    const again = await chaosIn(dir, [...args, "--log-format", "plain"]);
    expect(again.stderr).toBe("");
    expect([again.verdict, again.code], again.stdout.slice(-3000)).toEqual(["aborted", 3]);
    expect(again.replay).toBe(first.replay);
  });

  it("on a stack with no lifecycle hook to subscribe to: exit 2, saying what the flag needs", async () => {
    const r = await chaos(["run", "asg-scale-in", "--stack", join(REPO, "fixtures", "stacks", "capacity-puma.yaml"), "--lifecycle-handler", "drain.mjs"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("chaos: --lifecycle-handler drain.mjs: expected a stack whose Auto Scaling group has a terminating lifecycle hook with an SNS notificationTarget, found none\n");
    expect(r.stdout).toBe("");
  });
});
