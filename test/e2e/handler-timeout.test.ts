/**
 * `--handler` as a user meets it: a handler that hangs is reported as timed out and the CLI still
 * exits when the run is over (Lambda ends a timed-out environment; so does the sandbox), and a
 * handler file that is not there is bad input, named as the user typed it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, scratch, start, type CliResult } from "./cli.js";

/** Far longer than a run takes: only an exit that does not wait for the handler gets in under it. */
const WATCHDOG_MS = 90_000;

let dir: string;
beforeAll(() => {
  dir = scratch();
  writeFileSync(join(dir, "sleeps.mjs"), "export const handler = () => new Promise((resolve) => setTimeout(resolve, 3_600_000));\n");
  writeFileSync(join(dir, "spins.mjs"), "export const handler = () => { for (;;) {} };\n");
  // A user's drain function, importing the AWS SDK as a deployed one would.
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "drain.mjs"),
    `import { ECSClient, ListContainerInstancesCommand, UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
const ecs = new ECSClient({});
export async function handler(event) {
  const list = await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "ec2InstanceId == " + event.detail["instance-id"] }));
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: list.containerInstanceArns, status: "DRAINING" }));
  return { drained: list.containerInstanceArns.length };
}
`,
  );
});

/** Runs the CLI; a run still alive at the watchdog is killed and reported as such. */
async function runOrKill(args: string[]): Promise<CliResult & { killed: boolean }> {
  const running = start(args, { cwd: dir });
  let killed = false;
  const watchdog = setTimeout(() => {
    killed = true;
    running.child.kill("SIGKILL");
  }, WATCHDOG_MS);
  const result = await running.done;
  clearTimeout(watchdog);
  return { ...result, killed };
}

describe("chaos run --handler", () => {
  for (const [file, what] of [
    ["sleeps.mjs", "waits on an hour-long timer"],
    ["spins.mjs", "spins in a busy loop"],
  ] as const) {
    it(`with a handler that ${what}: reports the timeout, and the process exits after the run`, { timeout: WATCHDOG_MS + 10_000 }, async () => {
      const r = await runOrKill(["run", "spot-interrupt", "--handler", file, "--log-format", "plain", "--journal-path", `${file}.journal.json`]);
      expect(r.killed, `still running after ${WATCHDOG_MS / 1000} s:\n${r.stdout}\n${r.stderr}`).toBe(false);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`cli-handler-1: ${file.replace(".", "\\.")} timeout for EC2 Spot Instance Interruption Warning .*: Task timed out after 3\\.\\d\\d seconds`));
      expect(r.stdout).toMatch(/verdict: held/);
    });
  }

  it("with a handler that drains, on a stack with no drain of its own: the instance drains in time and the steady state holds", { timeout: WATCHDOG_MS + 10_000 }, async () => {
    const r = await runOrKill(["run", "spot-interrupt", "--stack", join(REPO, "fixtures", "stacks", "no-drain.yaml"), "--handler", "drain.mjs", "--log-format", "plain", "--journal-path", "drain.journal.json"]);
    expect(r.killed).toBe(false);
    expect(r.stdout).toMatch(/cli-handler-1: drain\.mjs ok for EC2 Spot Instance Interruption Warning/);
    expect(r.stdout).toMatch(/verdict: held/);
    expect(r.code).toBe(0);
  });

  it("with a handler file that is not there: exit 2, named as given, no stack trace or gameday path", async () => {
    const r = await runOrKill(["run", "spot-interrupt", "--handler", "handlers/drain.mjs"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("chaos: --handler handlers/drain.mjs: expected a JavaScript module file, found no such file");
    expect(r.stdout).toBe("");
  });

  it("with a stack whose rule names a missing handler: run and serve exit 2, naming the stack, the rule and the path", async () => {
    const stack = join(REPO, "test", "fixtures", "stacks", "missing-handler.yaml");
    const message = `chaos: ${stack}: rule my-drain: handler ./no-such-handler.mjs: expected a JavaScript module file, found no such file\n`;
    for (const args of [
      ["run", "spot-interrupt", "--stack", stack],
      ["sandbox", "serve", "--port", "0", "--stack", stack],
    ]) {
      const r = await runOrKill(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(message);
    }
  });
});
