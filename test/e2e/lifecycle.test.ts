import { vi, afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, markerExperiment, scratch, start, until, type Running } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let server: http.Server;
let base = "";
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, items: [{ id: 1 }, { id: 2 }] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A Chaos Toolkit experiment as Chaos Toolkit users write them: http and process providers only. */
function ctkExperiment(dir: string): string {
  const file = join(dir, "ctk.json");
  writeFileSync(
    file,
    JSON.stringify(
      {
        version: "1.0.0",
        title: "Orders API survives a cache flush",
        description: "Flushing the cache must not break the orders API.",
        configuration: { base: { type: "env", key: "TARGET_URL" } },
        secrets: { api: { token: { type: "env", key: "API_TOKEN" } } },
        "steady-state-hypothesis": {
          title: "orders answer",
          probes: [
            { type: "probe", name: "orders-health", tolerance: 200, provider: { type: "http", url: "${base}/health", timeout: 3, headers: { Authorization: "Bearer ${token}" } } },
            { type: "probe", name: "orders-listed", tolerance: { type: "jsonpath", path: "$.items[*].id", count: 2, target: "body" }, provider: { type: "http", url: "${base}/orders", arguments: { limit: 5 } } },
            { type: "probe", name: "tooling-present", tolerance: 0, provider: { type: "process", path: process.execPath, arguments: ["-e", "process.exit(0)"] } },
          ],
        },
        method: [
          { type: "action", name: "flush-cache", provider: { type: "http", url: "${base}/cache/flush", method: "POST", timeout: 3 } },
          { type: "probe", name: "count-orders", provider: { type: "process", path: process.execPath, arguments: ["-e", "console.log(42)"] } },
        ],
        rollbacks: [{ type: "action", name: "warm-cache", provider: { type: "http", url: "${base}/cache/warm", method: "POST" } }],
      },
      null,
      2,
    ),
  );
  return file;
}

describe("a Chaos Toolkit experiment with http and process providers", () => {
  it("runs unchanged, with secrets kept out of the journal", async () => {
    const dir = scratch();
    const r = await chaos(["run", ctkExperiment(dir), "--seed", "1"], { cwd: dir, env: { TARGET_URL: base, API_TOKEN: "tok-123-secret" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(hits).toContain("POST /cache/flush ");
    expect(hits).toContain("POST /cache/warm ");
    expect(hits).toContain("GET /health Bearer tok-123-secret");
    expect(hits).toContain("GET /orders?limit=5 ");
    const text = readFileSync(join(dir, "journal.json"), "utf8");
    expect(text).not.toContain("tok-123-secret");
    const j = JSON.parse(text);
    expect(j.steady_states.before.probes.map((p: { tolerance_met: boolean }) => p.tolerance_met)).toEqual([true, true, true]);
    expect(j.run.map((e: { activity: { name: string }; status: string }) => [e.activity.name, e.status])).toEqual([
      ["flush-cache", "succeeded"],
      ["count-orders", "succeeded"],
    ]);
    expect(j.run[1].output).toMatchObject({ status: 0, stdout: "42\n" });
    expect(j.rollbacks.map((e: { status: string }) => e.status)).toEqual(["succeeded"]);
  });

  it("a python provider is refused with what to use instead", async () => {
    const dir = scratch();
    const file = join(dir, "py.json");
    writeFileSync(file, JSON.stringify({ title: "t", description: "d", method: [{ type: "action", name: "kill", provider: { type: "python", module: "chaosaws.ecs.actions", func: "stop_task" } }] }));
    const r = await chaos(["validate", file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/py\.json:\d+:\d+: method\[0\]\.provider.*python/);
    expect(r.stderr).toMatch(/process/);
  });
});

/**
 * An experiment whose declared rollback writes the values of `${name}`s (secrets) to `saw`,
 * space-separated, so a test can see what the rollback was given.
 */
function secretRollbackExperiment(dir: string, saw: string, secrets: string, names: string[]): string {
  const file = join(dir, "secret.yaml");
  const script = `require("fs").writeFileSync(${JSON.stringify(saw)}, process.argv.slice(1).join(" "))`;
  writeFileSync(
    file,
    [
      "title: a rollback with a token",
      "secrets:",
      `  api: ${secrets}`,
      "method:",
      "  - pause: PT1H",
      "rollbacks:",
      "  - type: action",
      "    name: call-with-token",
      "    provider:",
      "      type: process",
      `      path: ${JSON.stringify(process.execPath)}`,
      `      arguments: ["-e", ${JSON.stringify(script)}, ${names.map((n) => `"\${${n}}"`).join(", ")}]`,
      "",
    ].join("\n"),
  );
  return file;
}

/** SIGKILLs a run once its ledger holds the declared rollbacks; returns the run's directory. */
async function killOnceRollbacksAreLedgered(run: Running, dir: string): Promise<string> {
  await run.waitFor(/pause/);
  const runs = join(dir, ".gameday", "runs");
  await until(() => existsSync(runs) && readdirSync(runs).length === 1, "the ledger");
  const runDir = join(runs, readdirSync(runs)[0]!);
  await until(() => readFileSync(join(runDir, "ledger.jsonl"), "utf8").includes("declared-rollbacks"), "the declared rollbacks in the ledger");
  run.child.kill("SIGKILL");
  await run.done;
  return runDir;
}

describe("signals", () => {
  // SIGHUP is what a closed terminal or a dropped SSH session sends: it must not leave the fault in force.
  it.each(["SIGTERM", "SIGHUP"] as const)("%s during the method runs the rollbacks, then exits 130", async (signal) => {
    const dir = scratch();
    const marker = join(dir, "marker");
    // Scaled real time (60x): the hour-long pause lasts a minute, long enough to interrupt.
    const run = start(["run", markerExperiment(dir, marker), "--speed", "60", "--log-format", "plain"], { cwd: dir });
    await until(() => existsSync(marker), "the marker");
    await run.waitFor(/pause/);
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(existsSync(marker)).toBe(false);
    const j = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(j.status).toBe("interrupted");
    expect(j.gameday.complete).toBe(true);
    expect(j.gameday.interrupted.signal).toBe(signal);
    // The ledger is closed: nothing is left for `chaos recover`.
    expect((await chaos(["recover"], { cwd: dir })).stdout).toMatch(/nothing to recover/);
    expect(j.rollbacks.map((e: { status: string }) => e.status)).toEqual(["succeeded"]);
    expect(r.stdout).toMatch(/verdict: interrupted \(exit 130\)/);
  });

  it("after SIGKILL, chaos recover finishes the rollbacks from the ledger", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const run = start(["run", markerExperiment(dir, marker), "--speed", "60", "--log-format", "plain"], { cwd: dir });
    await until(() => existsSync(marker), "the marker");
    await run.waitFor(/pause/);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(existsSync(marker)).toBe(true);
    // The journal the killed run left behind is a usable partial journal.
    const partial = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(partial.status).toBe("running");
    expect(partial.run[0].activity.name).toBe("place-marker");

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(existsSync(marker)).toBe(false);
    const again = await chaos(["recover"], { cwd: dir });
    expect(again.stdout).toMatch(/nothing to recover/);
    const j = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(j.status).toBe("interrupted");
    expect(j.gameday.recovered.results.some((x: { ok: boolean }) => x.ok)).toBe(true);
  });

  it("a rollback whose secret came from a var file: recover reads the run's var file again; a secret --var must be given again", async () => {
    const dir = scratch();
    const saw = join(dir, "rollback-saw");
    const file = secretRollbackExperiment(dir, saw, "{ token: { type: env, key: API_TOKEN }, second: placeholder }", ["token", "second"]);
    writeFileSync(join(dir, "team.yaml"), "secrets:\n  api:\n    token: file-tok-42\n");
    const run = start(["run", file, "--var-file", "team.yaml", "--var", "second=cli-tok-7", "--speed", "60", "--log-format", "plain"], { cwd: dir, env: { API_TOKEN: "" } });
    const runDir = await killOnceRollbacksAreLedgered(run, dir);
    const record = readFileSync(join(runDir, "run.json"), "utf8");
    expect(record).not.toMatch(/file-tok-42|cli-tok-7/);
    expect(JSON.parse(record).inputs).toEqual({ varFiles: [join(dir, "team.yaml")], vars: {}, secretVars: ["second"] });

    const without = await chaos(["recover"], { cwd: dir });
    expect(without.code).toBe(4);
    expect(without.stdout + without.stderr).toMatch(/secret --var second: give it to chaos recover again with --var/);
    const r = await chaos(["recover", "--var", "second=cli-tok-7"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(saw, "utf8")).toBe("file-tok-42 cli-tok-7");
  });

  it("a rollback that uses a secret: the ledger never holds it, and recover gets it again from the environment", async () => {
    const dir = scratch();
    const saw = join(dir, "rollback-saw");
    const file = secretRollbackExperiment(dir, saw, "{ token: { type: env, key: API_TOKEN } }", ["token"]);
    const env = { API_TOKEN: "tok-0123456789" };
    const run = start(["run", file, "--speed", "60", "--log-format", "plain"], { cwd: dir, env });
    const ledgerFile = join(await killOnceRollbacksAreLedgered(run, dir), "ledger.jsonl");
    expect(readFileSync(ledgerFile, "utf8")).not.toContain("tok-0123456789");

    // Without the secret in the environment, recover refuses rather than run with a masked value.
    const blind = await chaos(["recover"], { cwd: dir, env: { API_TOKEN: "" } });
    expect(blind.code).toBe(4);
    expect(blind.stdout + blind.stderr).toMatch(/secrets masked/);
    expect(existsSync(saw)).toBe(false);

    const r = await chaos(["recover"], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(saw, "utf8")).toBe("tok-0123456789");
  });
});
