/** A first run on AWS without the FIS role: the error says which role, why that name, and how to make it. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FaultStartError, startFault } from "../../src/faults/fis-runner.js";
import { loadFault } from "../../src/faults/index.js";
import { Ledger } from "../../src/engine/ledger.js";
import { noLogPipeline, noTraffic, silentLogger, type RunServices } from "../../src/engine/ports.js";
import { VirtualClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";

async function startWithFisSaying(message: string, configuration: Record<string, unknown> = {}) {
  const clock = new VirtualClock();
  const refusing = { send: async () => Promise.reject(Object.assign(new Error(message), { name: "ValidationException" })) };
  const services = { clock, random: new SeededRandom(1), aws: { fis: async () => refusing }, traffic: noTraffic, logs: noLogPipeline, log: silentLogger, targetKind: "aws", region: "eu-west-1" } as unknown as RunServices;
  const module = (await loadFault("task-kill"))!;
  const params = module.params.parse({});
  const target = module.target.parse({ cluster: "prod" });
  const fragment = module.compile({ params, target, configuration, region: "eu-west-1", accountId: "111122223333" });
  const dir = mkdtempSync(join(tmpdir(), "gameday-role-"));
  const ledger = Ledger.create(dir, { runId: "r1", experiment: "x.yaml", title: "x", seed: 1, target: { kind: "aws", region: "eu-west-1" }, pid: process.pid, startedAt: 0, journalPath: join(dir, "journal.json") });
  const run = { runId: "r1", startedAt: 0, configuration, faults: [], chaosWindow: undefined };
  try {
    return await startFault({ runId: "r1", stepName: "kill", module, params, target, fragment, services, run, ledger, signal: new AbortController().signal, accountId: "111122223333", configuration }).then(
      () => undefined,
      (err: unknown) => err,
    );
  } finally {
    clock.stop();
  }
}

describe("a FIS role that is missing", () => {
  it("names the default role gameday-fis, how to override it and how to create it", async () => {
    const err = await startWithFisSaying("Role arn:aws:iam::111122223333:role/gameday-fis does not exist or cannot be assumed");
    expect(err).toBeInstanceOf(FaultStartError);
    const message = (err as Error).message;
    expect(message).toContain("arn:aws:iam::111122223333:role/gameday-fis");
    expect(message).toContain("configuration.fisRoleArn");
    expect(message).toContain("chaos setup --print cloudformation");
  });

  it("names a configured role as configured, and leaves errors about something else as FIS said them", async () => {
    const configured = await startWithFisSaying("Unable to assume role", { fisRoleArn: "arn:aws:iam::111122223333:role/team-fis" });
    expect((configured as Error).message).toMatch(/role arn:aws:iam::111122223333:role\/team-fis .*configuration.fisRoleArn names it/);
    const other = await startWithFisSaying("Rate exceeded");
    expect(other).not.toBeInstanceOf(FaultStartError);
    expect((other as Error).message).toBe("Rate exceeded");
  });
});
