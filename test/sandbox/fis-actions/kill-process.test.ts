/**
 * FIS aws:ecs:task-kill-process in the sandbox: it kills the log shipper by its process name; the
 * shipper's container is essential (ECS's default), so its task stops and the service replaces it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, GetExperimentCommand, StartExperimentCommand } from "@aws-sdk/client-fis";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

const LOGGING = `
kinesis:
  streams: [{ name: app-logs, shards: 1 }]
  roles: [{ name: web-task, accessKeyIds: [AKIAWEBTASKSANDBOX01] }]
logging:
  - { service: web, stream: app-logs, role: web-task, process: shipper-x }
`;

async function killProcess(processName: string, signal: string): Promise<{ id: string; status: () => Promise<{ status?: string; reason?: string }> }> {
  const fis = await h.clients.fis();
  const t = await fis.send(
    new CreateExperimentTemplateCommand({
      clientToken: `t-${processName}-${signal}`,
      description: "kill",
      roleArn: "arn:aws:iam::123456789012:role/fis",
      stopConditions: [{ source: "none" }],
      targets: { web: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "web" }, selectionMode: "COUNT(1)" } },
      actions: { kill: { actionId: "aws:ecs:task-kill-process", parameters: { processName, signal }, targets: { Tasks: "web" } } },
    }),
  );
  const e = await fis.send(new StartExperimentCommand({ clientToken: `e-${processName}-${signal}`, experimentTemplateId: t.experimentTemplate!.id! }));
  const id = e.experiment!.id!;
  return { id, status: async () => ({ ...(await fis.send(new GetExperimentCommand({ id }))).experiment!.actions!.kill!.state }) };
}

describe("aws:ecs:task-kill-process on the sandbox", () => {
  it("SIGKILLs the named shipper: its essential container exits, the task stops and the service starts another", async () => {
    h = await harness(stackYaml() + LOGGING);
    const tasks = () => h.sandbox.ecs.clusters.get("prod")!.tasks;
    const before = tasks().length;
    const run = await killProcess("shipper-x", "SIGKILL");
    await h.advance(2_000);
    expect((await run.status()).status).toBe("completed");
    const stopped = tasks().filter((t) => t.desiredStatus === "STOPPED");
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    await h.advance(60_000);
    expect(tasks().filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING")).toHaveLength(3);
    expect(tasks().length).toBe(before + 1);
  });

  it("fails the action, and stops nothing, when no process of that name runs in the task (killall finds none)", async () => {
    h = await harness(stackYaml() + LOGGING);
    const run = await killProcess("fluent-bit", "SIGKILL");
    await h.advance(2_000);
    const state = await run.status();
    expect(state.status).toBe("failed");
    expect(state.reason).toMatch(/fluent-bit.*no process of that name/);
    expect(h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.desiredStatus === "STOPPED")).toHaveLength(0);
  });

  it("refuses a signal other than SIGTERM or SIGKILL when the template is created", async () => {
    h = await harness(stackYaml() + LOGGING);
    await expect(killProcess("shipper-x", "SIGHUP")).rejects.toThrow(/SIGTERM or SIGKILL/);
  });
});
