/**
 * `chaos` (bin/chaos) starts the CLI from its V8 startup snapshot (scripts/snapshot/build.mjs,
 * built by the global setup): what a user sees must be what `node dist/src/cli/main.js` gives them.
 * Same verdict, output and journal; same exit codes and messages for bad input; SIGINT rolls back
 * and SIGKILL kills the one process; values of this process (env, TTY, cwd) are read at run time;
 * and a snapshot that is missing, from another node or for another directory is not used.
 */
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, idleEndpoint, LAUNCHER, markerExperiment, REPO, scratch, start, until, type CliResult } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const DIST = join(REPO, "dist");

/**
 * Runs `args` through `launcher` with a preload that records the process's node options, so that
 * a test can tell whether it started from the snapshot (`--snapshot-blob`) or from main.js.
 */
async function viaLauncher(args: string[], cwd: string, launcher = LAUNCHER, nodeOptions = ""): Promise<CliResult & { fromSnapshot: boolean }> {
  const preload = join(cwd, "record-exec-argv.cjs");
  const record = join(cwd, "exec-argv.json");
  writeFileSync(preload, `require("fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.execArgv));\n`);
  const r = await new Promise<CliResult>((resolve) => {
    const child = spawn(launcher, args, { cwd, env: { ...process.env, NO_COLOR: "1", NODE_OPTIONS: `${nodeOptions} --require ${preload}` }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const execArgv = JSON.parse(readFileSync(record, "utf8")) as string[];
  return { ...r, fromSnapshot: execArgv.includes("--snapshot-blob") };
}

describe("chaos from the startup snapshot", () => {
  it("runs spot-interrupt with the same verdict, output and journal as node main.js (seed 7)", async () => {
    const [a, b] = [scratch(), scratch()];
    const snap = await viaLauncher(["run", "spot-interrupt", "--seed", "7", "--log-format", "plain"], a);
    const plain = await chaos(["run", "spot-interrupt", "--seed", "7", "--log-format", "plain"], { cwd: b, via: "main" });
    expect(snap.fromSnapshot).toBe(true);
    expect(snap.stderr).toBe("");
    expect([snap.code, snap.stdout]).toEqual([plain.code, plain.stdout]);
    expect(snap.stdout).toMatch(/verdict: held \(exit 0\)/);
    // Written under this process's cwd (read at run time, not when the snapshot was built).
    // All but when the runs really happened (gameday.wallClock).
    const journal = (dir: string) => {
      const j = JSON.parse(readFileSync(join(dir, ".gameday", "runs", "spot-interrupt-00000007", "journal.json"), "utf8"));
      delete j.gameday.wallClock;
      return j;
    };
    expect(journal(a)).toEqual(journal(b));
  });

  it("says nothing on stderr when ./probes holds TypeScript sources, as the repository root does (the README's quick start)", async () => {
    // The loader tries ./probes/draining.ts through Node's loader, which cannot load .ts, and falls
    // back to the built-in probe; from the snapshot that import once printed an ExperimentalWarning.
    const dir = scratch();
    mkdirSync(join(dir, "probes"));
    copyFileSync(join(REPO, "probes", "draining.ts"), join(dir, "probes", "draining.ts"));
    const snap = await viaLauncher(["run", "spot-interrupt", "--seed", "7", "--log-format", "plain"], dir);
    expect(snap.fromSnapshot).toBe(true);
    expect(snap.stderr).toBe("");
    expect(snap.stdout).toMatch(/verdict: held \(exit 0\)/);
  });

  it("starts a gate's runs from the snapshot too, through the same launcher", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "suite.yaml"), "title: One\nexperiments:\n  - experiment: task-kill\n    seeds: [7]\ngate:\n  allHeld: true\n");
    // Each process (the gate and its run) appends how it was started (from a snapshot, argv has no script).
    const log = join(dir, "processes.jsonl");
    const preload = join(dir, "record-process.cjs");
    writeFileSync(preload, `require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify([process.execArgv, process.argv.slice(1)]) + "\\n");\n`);
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(LAUNCHER, ["gate", "suite.yaml", "--parallel", "1"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", NODE_OPTIONS: `--require ${preload}` }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr: "" }));
    });
    expect(r.code, r.stdout).toBe(0);
    const processes = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as [string[], string[]]);
    expect(processes).toHaveLength(2);
    expect(processes.map(([, args]) => args.slice(0, 2))).toEqual([["gate", "suite.yaml"], ["run", expect.stringMatching(/task-kill/)]]);
    for (const [execArgv] of processes) expect(execArgv).toContain("--snapshot-blob");
  });

  it("gives bad input the same exit codes and messages", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "broken.yaml"), "title: t\nmethod:\n  - fault: no-such-fault\n");
    for (const args of [["run", "no-such-experiment"], ["run", "task-kill", "--bogus-flag"], ["validate", "broken.yaml"], ["no-such-command"]]) {
      const snap = await viaLauncher(args, dir);
      const plain = await chaos(args, { cwd: dir, via: "main" });
      expect(snap.fromSnapshot).toBe(true);
      expect([snap.code, snap.stdout, snap.stderr], args.join(" ")).toEqual([plain.code, plain.stdout, plain.stderr]);
      expect(snap.code).toBe(2);
    }
  });

  it("reads NO_COLOR and the terminal when it starts, not when the snapshot was built", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "quick.yaml"), "title: quick\ndescription: d\nmethod:\n  - pause: PT0.1S\n");
    const endpoint = await idleEndpoint();
    onTestFinished(() => endpoint.close());
    /** The launcher at a pseudo-terminal (util-linux `script`), with or without NO_COLOR. */
    const atTerminal = (noColor: boolean) =>
      new Promise<string>((resolve) => {
        const env = { ...process.env };
        delete env.NO_COLOR;
        if (noColor) env.NO_COLOR = "1";
        const command = [LAUNCHER, "run", "quick.yaml", "--target", endpoint.url, "--seed", "1"].map((a) => `'${a}'`).join(" ");
        const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: dir, env, stdio: ["ignore", "pipe", "ignore"] });
        let screen = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (screen += d));
        child.on("close", () => resolve(screen));
      });
    const green = "\x1b[32m";
    expect(await atTerminal(false)).toContain(green);
    expect(await atTerminal(true)).not.toContain(green);
    // Through a pipe, not a terminal: no colours either.
    expect((await viaLauncher(["run", "quick.yaml", "--target", endpoint.url, "--seed", "1"], dir)).stdout).not.toContain("\x1b[");
  });

  it("is one process: SIGINT rolls the run back (exit 130), as with node main.js", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const endpoint = await idleEndpoint();
    onTestFinished(() => endpoint.close());
    const run = start(["run", markerExperiment(dir, marker), "--target", endpoint.url, "--seed", "51", "--log-format", "plain"], { cwd: dir, via: "launcher" });
    onTestFinished(() => void run.child.kill("SIGKILL"));
    await run.waitFor(/pause/);
    expect(existsSync(marker)).toBe(true);
    const [runId] = readdirSync(join(dir, ".gameday", "runs"));
    // The pid the launcher was started as is the run's own (exec, no shell in between).
    expect(JSON.parse(readFileSync(join(dir, ".gameday", "runs", runId!, "lock"), "utf8")).pid).toBe(run.child.pid);
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(existsSync(marker)).toBe(false);
  });

  it("dies of a SIGKILL to the pid it was started as; chaos recover then undoes the run", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const endpoint = await idleEndpoint();
    onTestFinished(() => endpoint.close());
    const run = start(["run", markerExperiment(dir, marker), "--target", endpoint.url, "--seed", "52", "--log-format", "plain"], { cwd: dir, via: "launcher" });
    onTestFinished(() => void run.child.kill("SIGKILL"));
    await run.waitFor(/pause/);
    run.child.kill("SIGKILL");
    expect((await run.done).signal).toBe("SIGKILL");
    expect(existsSync(marker)).toBe(true);
    const r = await chaos(["recover"], { cwd: dir, via: "launcher" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("chaos without a usable snapshot", () => {
  /**
   * A checkout of its own: a copy of bin/chaos beside a dist/ whose code is this build's, with
   * dist/snapshot/ as `snapshot` makes it (or none).
   */
  function checkout(snapshot?: (snapDir: string) => void): string {
    const root = scratch();
    mkdirSync(join(root, "bin"));
    copyFileSync(LAUNCHER, join(root, "bin", "chaos"));
    mkdirSync(join(root, "dist"));
    for (const d of ["src", "probes"]) symlinkSync(join(DIST, d), join(root, "dist", d));
    if (snapshot) {
      mkdirSync(join(root, "dist", "snapshot"));
      symlinkSync(join(DIST, "snapshot", "chaos.blob"), join(root, "dist", "snapshot", "chaos.blob"));
      snapshot(join(root, "dist", "snapshot"));
    }
    return join(root, "bin", "chaos");
  }
  const stamp = () => readFileSync(join(DIST, "snapshot", "stamp"), "utf8").split("\n");
  // A usage error: answered by the CLI's own code (unlike --version, which the launcher always
  // leaves to main.js), before anything of the checkout beyond dist/ is read.
  const usage = ["run", "task-kill", "--bogus-flag"];
  const plainUsage = () => chaos(usage, { cwd: scratch(), via: "main" });

  it("runs main.js when no snapshot was built", async () => {
    const r = await viaLauncher(usage, scratch(), checkout());
    expect(r.fromSnapshot).toBe(false);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
  });

  it("runs main.js when the snapshot was built by another node (the stamp names another executable)", async () => {
    const [, , inputs] = stamp();
    const launcher = checkout((dir) => writeFileSync(join(dir, "stamp"), `/opt/node-v22/bin/node:123:456\n${join(dir, "..")}\n${inputs}\n`));
    const r = await viaLauncher(usage, scratch(), launcher);
    expect(r.fromSnapshot).toBe(false);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
  });

  it("runs main.js when the snapshot was built for another directory (a moved checkout)", async () => {
    const launcher = checkout((dir) => writeFileSync(join(dir, "stamp"), stamp().join("\n")));
    const r = await viaLauncher(usage, scratch(), launcher);
    expect(r.fromSnapshot).toBe(false);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
  });

  it("runs main.js when dist/ was compiled after the snapshot was built (tsc without the snapshot build)", async () => {
    const [node, , inputs] = stamp();
    const launcher = checkout((dir) => {
      writeFileSync(join(dir, "stamp"), `${node}\n${join(dir, "..")}\n${inputs}\n`);
      utimesSync(join(dir, "stamp"), new Date(0), new Date(0));
    });
    const r = await viaLauncher(usage, scratch(), launcher);
    expect(r.fromSnapshot).toBe(false);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
  });

  it("leaves --help and --version to main.js, which answers them before the snapshot would have loaded", async () => {
    for (const args of [["--help"], ["run", "--help"], ["--version"], []]) {
      const r = await viaLauncher(args, scratch());
      const plain = await chaos(args, { cwd: scratch(), via: "main" });
      expect(r.fromSnapshot, args.join(" ")).toBe(false);
      expect([r.code, r.stdout, r.stderr]).toEqual([plain.code, plain.stdout, plain.stderr]);
    }
  });

  it("runs main.js when NODE_OPTIONS changes V8's flags (node would refuse the snapshot with exit 14)", async () => {
    const r = await viaLauncher(usage, scratch(), LAUNCHER, "--max-old-space-size=400");
    expect(r.fromSnapshot).toBe(false);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
    // Options that leave V8's flags alone keep the snapshot (the preload here is one).
    expect((await viaLauncher(usage, scratch(), LAUNCHER, "--enable-source-maps --no-warnings")).fromSnapshot).toBe(true);
  });

  it("starts the snapshot in that checkout once the stamp names its node and its directory", async () => {
    const [node, , inputs] = stamp();
    const launcher = checkout((dir) => writeFileSync(join(dir, "stamp"), `${node}\n${join(dir, "..")}\n${inputs}\n`));
    const r = await viaLauncher(usage, scratch(), launcher);
    expect(r.fromSnapshot).toBe(true);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", (await plainUsage()).stderr]);
  });

  it("gives each process its own random values: nothing random was drawn while the snapshot was built", async () => {
    // Node caches entropy for crypto.randomUUID in the process: a module that drew a UUID while the
    // snapshot was built would hand every process started from it the same ones (the SDK's
    // invocation ids and idempotency tokens). Run seeds come from crypto.randomInt.
    const draws = async () => {
      const dir = scratch();
      const out = join(dir, "draws.json");
      const preload = join(dir, "draws.cjs");
      // Drawn as the process starts, before the run draws any: the same place in the cache each time.
      writeFileSync(preload, `const drawn = [require("crypto").randomUUID(), Math.random()];\nprocess.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(drawn)));\n`);
      const r = await viaLauncher(["run", "task-kill"], dir, LAUNCHER, `--require ${preload}`);
      expect(r.fromSnapshot).toBe(true);
      const seed = /seed (\d+)/.exec(r.stdout)?.[1];
      return { seed, drawn: JSON.parse(readFileSync(out, "utf8")) as [string, number] };
    };
    const [a, b] = [await draws(), await draws()];
    expect(a.seed).toMatch(/^\d+$/);
    expect(a.seed).not.toBe(b.seed);
    expect(a.drawn[0]).not.toBe(b.drawn[0]);
    expect(a.drawn[1]).not.toBe(b.drawn[1]);
  });
});

describe("the snapshot's warm-up run (src/cli/snapshot-warmup.ts)", () => {
  it("ran before the snapshot was taken (the stamp's fourth line)", () => {
    expect(readFileSync(join(DIST, "snapshot", "stamp"), "utf8").split("\n")[3]).toBe("warmed");
  });

  it("when it fails, the snapshot is built without it, and works", async () => {
    const { buildSnapshot } = (await import(join(REPO, "scripts", "snapshot", "build.mjs"))) as { buildSnapshot(o: { out: string; warmUp: string }): Promise<string> };
    // A checkout of its own, as above: the blob takes its dist directory from where it lies.
    const root = scratch();
    mkdirSync(join(root, "dist"));
    for (const d of ["src", "probes"]) symlinkSync(join(DIST, d), join(root, "dist", d));
    for (const f of ["package.json", "experiments", "fixtures"]) symlinkSync(join(REPO, f), join(root, f));
    const out = join(root, "dist", "snapshot");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    onTestFinished(() => stderr.mockRestore());
    expect(await buildSnapshot({ out, warmUp: "no-such-experiment" })).toBe("built (not warmed)");
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/built without its warm-up run, which failed: .*no-such-experiment/s);
    expect(readFileSync(join(out, "stamp"), "utf8").split("\n")[3]).toBe("not warmed");
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, ["--snapshot-blob", join(out, "chaos.blob"), "--", "run", "task-kill", "--seed", "7", "--log-format", "plain"], { cwd: scratch(), env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    expect(r.stdout, r.stderr).toMatch(/verdict: held \(exit 0\)/);
    expect(r.code).toBe(0);
  });
});
