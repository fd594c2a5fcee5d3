/**
 * What a new user hit at the edges of the command line (issue 7): targets, journal paths, one
 * journal per run, recover after SIGKILL, flags and help.
 */
import { vi, afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, chaos, cliCommand, freePort, idleEndpoint, markerExperiment, scratch, start, until } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let endpoint: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  endpoint = await idleEndpoint();
});
afterAll(() => endpoint.close());

function quickExperiment(dir: string, name = "quick", pause = "PT0.1S"): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [`title: ${name}`, "description: d", "method:", `  - pause: ${pause}`, ""].join("\n"));
  return file;
}

const journalAt = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { status: string; gameday: { runId: string; complete: boolean; recovered?: unknown } };

describe("--target", () => {
  it("a URL without a host is a usage error that says what a target looks like", async () => {
    const dir = scratch();
    const r = await chaos(["run", quickExperiment(dir), "--target", "http://"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('chaos: --target: expected sandbox, aws, or an endpoint URL http(s)://host:port such as http://127.0.0.1:4566, found "http://"\n');
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("an endpoint nobody listens on is named before the run starts (exit 4), not reported as a probe failure", async () => {
    const dir = scratch();
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await chaos(["run", "task-kill", "--target", url, "--seed", "1"], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`chaos: nothing is listening on ${url} — is \`chaos sandbox serve\` running?\n`);
    expect(r.stdout).not.toMatch(/steady state|verdict|no traffic/);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
    expect(existsSync(join(dir, "journal.json"))).toBe(false);
  });
});

describe("--journal-path", () => {
  // /proc/sys/kernel and its read-only files refuse writes even to root, on Linux.
  it.runIf(process.platform === "linux")("a file or a directory that cannot be written is refused in words, not a bare errno code", async () => {
    const dir = scratch();
    const file = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "/proc/sys/kernel/osrelease"], { cwd: dir });
    expect([file.code, file.stderr]).toEqual([2, "chaos: --journal-path /proc/sys/kernel/osrelease: the file cannot be written: permission denied: /proc/sys/kernel/osrelease\n"]);
    const inDir = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "/proc/sys/kernel/j.json"], { cwd: dir });
    expect([inDir.code, inDir.stderr]).toEqual([2, "chaos: --journal-path /proc/sys/kernel/j.json: cannot write in its directory: permission denied: /proc/sys/kernel\n"]);
    // Without --journal-path the working directory gets the journal.json link.
    const cwd = await chaos(["run", quickExperiment(dir), "--target", endpoint.url], { cwd: "/proc/sys/kernel" });
    expect([cwd.code, cwd.stderr]).toEqual([2, "chaos: cannot write in the working directory: permission denied: /proc/sys/kernel; run from a directory you can write to, or give --journal-path\n"]);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("a file where the runs directory must go is named in words when the rollback ledger cannot be written, not a bare errno code", async () => {
    const dir = scratch();
    writeFileSync(join(dir, ".gameday"), "");
    const r = await chaos(["run", quickExperiment(dir), "--target", endpoint.url], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([2, `chaos: cannot write the rollback ledger under ${join(dir, ".gameday", "runs")}: not a directory: ${join(dir, ".gameday", "runs")}; run from a directory you can write to\n`]);
  });

  it("a directory that does not exist is refused and named, not created", async () => {
    const dir = scratch();
    const r = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "nonexistent/dir/j.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`chaos: --journal-path nonexistent/dir/j.json: the directory ${join(dir, "nonexistent", "dir")} does not exist; create it first, or choose another path\n`);
    expect(existsSync(join(dir, "nonexistent"))).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("a path another live run writes its journal to is refused; that run's journal is left whole", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const a = start(["run", markerExperiment(dir, marker), "--target", endpoint.url, "--seed", "51", "--journal-path", "shared.json", "--log-format", "plain"], { cwd: dir });
    onTestFinished(() => void a.child.kill("SIGKILL"));
    await a.waitFor(/pause/);

    const b = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--seed", "52", "--journal-path", "shared.json"], { cwd: dir });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`^chaos: --journal-path shared\\.json: another run \\(pid ${a.child.pid} on [^)]+\\) is writing its journal there; choose another path, or leave --journal-path out`));
    expect(journalAt(join(dir, "shared.json")).gameday.runId).toBe("marker-00000033");

    // Once that run has ended, the path is free again.
    a.child.kill("SIGINT");
    expect((await a.done).code).toBe(130);
    const c = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--seed", "53", "--journal-path", "shared.json"], { cwd: dir });
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    expect(journalAt(join(dir, "shared.json")).gameday.runId).toBe("quick-00000035");
  });
});

/** An experiment whose first action announces itself and waits until `other` has announced itself too. */
function rendezvousExperiment(dir: string, name: string, other: string): string {
  const file = join(dir, `${name}.yaml`);
  const script = [
    'const fs = require("fs");',
    `fs.writeFileSync(${JSON.stringify(join(dir, `${name}.started`))}, "");`,
    `const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(join(dir, `${other}.started`))})) clearInterval(t); }, 50);`,
    "setTimeout(() => process.exit(1), 60000).unref();",
  ].join(" ");
  writeFileSync(
    file,
    [`title: ${name}`, "description: meets the other run", "method:", "  - type: action", "    name: meet", `    provider: { type: process, path: ${JSON.stringify(process.execPath)}, arguments: ["-e", ${JSON.stringify(script)}] }`, "  - pause: PT0.5S", ""].join("\n"),
  );
  return file;
}

describe("two runs in one directory", () => {
  it("each keeps its own complete journal under its run directory; journal.json links to the latest", async () => {
    const dir = scratch();
    const [a, b] = await Promise.all([
      chaos(["run", rendezvousExperiment(dir, "alpha", "beta"), "--target", endpoint.url, "--seed", "1", "--log-format", "plain"], { cwd: dir }),
      chaos(["run", rendezvousExperiment(dir, "beta", "alpha"), "--target", endpoint.url, "--seed", "1", "--log-format", "plain"], { cwd: dir }),
    ]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, "", ""]);
    for (const [r, runId] of [
      [a, "alpha-00000001"],
      [b, "beta-00000001"],
    ] as const) {
      const own = join(".gameday", "runs", runId, "journal.json");
      expect(r.stdout).toContain(`journal: ${own} (journal.json links to it)\n`);
      const j = journalAt(join(dir, own));
      expect(j.gameday.runId).toBe(runId);
      expect(j.status).toBe("completed");
      expect(j.gameday.complete).toBe(true);
    }
    expect(readlinkSync(join(dir, "journal.json"))).toMatch(/^\.gameday[/\\]runs[/\\](alpha|beta)-00000001[/\\]journal\.json$/);

    // A later run moves the link; the earlier journals stay where they are.
    const c = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--seed", "3"], { cwd: dir });
    expect(c.code).toBe(0);
    expect(journalAt(join(dir, "journal.json")).gameday.runId).toBe("quick-00000003");
    expect(journalAt(join(dir, ".gameday", "runs", "alpha-00000001", "journal.json")).gameday.runId).toBe("alpha-00000001");
  });
});

describe("two runs with the same seed in one directory", () => {
  it("each keeps its own directory, run id and journal: the later one takes <run-id>.1, and the earlier one's paths keep naming the earlier run", async () => {
    const dir = scratch();
    const file = quickExperiment(dir);
    const runs = join(dir, ".gameday", "runs");
    const a = await chaos(["run", file, "--target", endpoint.url, "--seed", "9"], { cwd: dir });
    expect([a.code, a.stderr]).toEqual([0, ""]);
    const firstPrinted = join(".gameday", "runs", "quick-00000009", "journal.json");
    expect(a.stdout).toContain(`journal: ${firstPrinted} (journal.json links to it)\n`);
    const firstJournal = readFileSync(join(dir, firstPrinted), "utf8");

    const b = await chaos(["run", file, "--target", endpoint.url, "--seed", "9"], { cwd: dir });
    expect([b.code, b.stderr]).toEqual([0, ""]);
    const secondPrinted = join(".gameday", "runs", "quick-00000009.1", "journal.json");
    expect(b.stdout).toContain(`journal: ${secondPrinted} (journal.json links to it)\n`);

    expect(readdirSync(runs).sort()).toEqual(["quick-00000009", "quick-00000009.1"]);
    // What the first run printed still names the first run's journal, unchanged.
    expect(readFileSync(join(dir, firstPrinted), "utf8")).toBe(firstJournal);
    expect(journalAt(join(dir, firstPrinted)).gameday.runId).toBe("quick-00000009");
    expect(journalAt(join(dir, secondPrinted)).gameday.runId).toBe("quick-00000009.1");
    // Each run.json names its own run and a journal inside its own directory.
    for (const name of ["quick-00000009", "quick-00000009.1"]) {
      const record = JSON.parse(readFileSync(join(runs, name, "run.json"), "utf8")) as { runId: string; journalPath: string };
      expect(record.runId).toBe(name);
      expect(record.journalPath).toBe(join(runs, name, "journal.json"));
    }
    expect(readlinkSync(join(dir, "journal.json"))).toBe(secondPrinted);

    // A run directory's name is its run id, for `chaos recover <run-id>`.
    const recover = await chaos(["recover", "quick-00000009.1"], { cwd: dir });
    expect([recover.code, recover.stdout]).toEqual([0, "run quick-00000009.1: nothing to recover, its rollbacks are finished\n"]);
  });
});

/** A process's state letter from /proc (R, S, Z...), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/)[0];
  } catch {
    return undefined;
  }
}

describe.runIf(existsSync("/proc/self/stat"))("chaos recover right after a SIGKILL", () => {
  it("treats the killed run as dead while its parent has not reaped it (a zombie)", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const file = markerExperiment(dir, marker);
    // The shell starts the run in the background, then becomes `sleep`, which never waits for its
    // children: once killed, the run stays a zombie, its pid still answering signal 0.
    const parent = spawn("sh", ["-c", '"$0" "$1" run "$2" --target "$3" --seed 61 --log-format plain >run.log 2>&1 & exec sleep 600', process.execPath, CLI, file, endpoint.url], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: "ignore",
    });
    onTestFinished(() => void parent.kill("SIGKILL"));
    const runDir = join(dir, ".gameday", "runs", "marker-0000003d");
    await until(() => existsSync(join(dir, "run.log")) && /pause/.test(readFileSync(join(dir, "run.log"), "utf8")), "the run's pause");
    const pid = (JSON.parse(readFileSync(join(runDir, "lock"), "utf8")) as { pid: number }).pid;
    expect(existsSync(marker)).toBe(true);

    process.kill(pid, "SIGKILL");
    await until(() => procState(pid) === "Z", `pid ${pid} to become a zombie`);

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toMatch(/still running/);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    // Noted in the killed run's own journal.
    const j = journalAt(join(runDir, "journal.json"));
    expect(j.status).toBe("interrupted");
    expect(j.gameday.recovered).toBeDefined();
  });
});

describe("flags and commands", () => {
  it("an unknown flag is reported as typed, pointing at the command's own help", async () => {
    const r = await chaos(["run", "task-kill", "--bogus-flag"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("chaos: Unknown option `--bogus-flag` (see chaos run --help)\n");
    const gate = await chaos(["gate", "--seed", "7", "suite.yaml"], { cwd: scratch() });
    expect(gate.stderr).toBe("chaos: Unknown option `--seed` (see chaos gate --help)\n");
  });

  it("a negative --seed or --speed is the flag's value, and its check says what is wrong", async () => {
    const seed = await chaos(["run", "task-kill", "--seed", "-1"], { cwd: scratch() });
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe('chaos: --seed: expected an integer from 0 to 4294967295, found "-1"\n');
    const speed = await chaos(["run", "task-kill", "--speed", "-3"], { cwd: scratch() });
    expect(speed.code).toBe(2);
    expect(speed.stderr).toBe('chaos: --speed: expected a positive number (1 is real time), found "-3"\n');
  });

  it("an empty value is found \"\", as typed, not 0: --parallel, explore's --runs, --port", async () => {
    const parallel = await chaos(["gate", "suite.yaml", "--parallel", ""], { cwd: scratch() });
    expect(parallel.code).toBe(2);
    expect(parallel.stderr).toBe('chaos: --parallel: expected a whole number of 1 or more, found ""\n');
    const runs = await chaos(["explore", "spot-interrupt", "--runs", ""], { cwd: scratch() });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toBe(`chaos: --runs: expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, found ""\n`);
    // Not 0, which would have served on whatever port was free.
    const port = await chaos(["sandbox", "serve", "--port", ""], { cwd: scratch() });
    expect(port.code).toBe(2);
    expect(port.stderr).toBe('chaos: --port: expected a port number from 0 to 65535 (0: a free one), found ""\n');
    // A value mri would read as a number is checked as typed: 1e3 is not 1000.
    const shrink = await chaos(["explore", "spot-interrupt", "--shrink-runs", "1e3"], { cwd: scratch() });
    expect(shrink.code).toBe(2);
    expect(shrink.stderr).toBe(`chaos: --shrink-runs: expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, found "1e3"\n`);
  });

  it("an unknown command is named, with the command it was probably meant to be", async () => {
    const unknown = await chaos(["frobnicate"], { cwd: scratch() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("chaos: unknown command: frobnicate; see chaos --help\n");
    const typo = await chaos(["rnu", "task-kill"], { cwd: scratch() });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("chaos: unknown command: rnu (did you mean `run`?); see chaos --help\n");
  });

  it("each command's help shows the exit codes that command gives", async () => {
    const exitCodes = (out: string) => out.slice(out.indexOf("Exit codes:"));
    const run = await chaos(["run", "--help"], { cwd: scratch() });
    expect(exitCodes(run.stdout)).toMatch(/3 +aborted by a stop condition[\s\S]*130 +interrupted/);
    const validate = await chaos(["validate", "--help"], { cwd: scratch() });
    expect(validate.code).toBe(0);
    expect(exitCodes(validate.stdout)).toMatch(/0 +every file is valid\n +2 +a file has errors/);
    expect(validate.stdout).not.toMatch(/stop condition|interrupted|deviated/);
    const recover = await chaos(["recover", "--help"], { cwd: scratch() });
    expect(exitCodes(recover.stdout)).toMatch(/4 +a run could not be recovered/);
    expect(recover.stdout).not.toMatch(/stop condition|deviated/);
  });
});

describe("the journal directory check", () => {
  it("an existing directory is accepted", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "reports"));
    const r = await chaos(["run", quickExperiment(dir), "--target", endpoint.url, "--journal-path", "reports/j.json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("journal: reports/j.json\n");
    expect(journalAt(join(dir, "reports", "j.json")).status).toBe("completed");
  });
});

describe("a reader that goes away (`chaos … | head`)", () => {
  /** Runs `args` through bash with stdout into `head -n 3` (pipefail: the exit code is chaos's). */
  const intoHead = (args: string[], cwd: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const line = cliCommand(args).flat().map((w) => `'${w}'`).join(" ");
      const child = spawn("bash", ["-c", `set -o pipefail; ${line} | head -n 3 >/dev/null`], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });

  it("does not end a run halfway: the run finishes with its rollbacks and journal, and exits with its verdict", async () => {
    const dir = scratch();
    const r = await intoHead(["run", "task-kill", "--seed", "11", "--log-format", "plain"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const journal = journalAt(join(dir, "journal.json"));
    expect([journal.status, journal.gameday.complete]).toEqual(["completed", true]);
    expect((await chaos(["recover"], { cwd: dir })).stdout).toMatch(/nothing to recover/);
  });

  it("ends a listing quietly, exit 0", async () => {
    const r = await intoHead(["list", "--verbose"], scratch());
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });
});

describe("chaos sandbox --help", () => {
  it("names its one action, serve", async () => {
    const r = await chaos(["sandbox", "--help"], { cwd: scratch() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ chaos sandbox serve \[options\]\n\n  serve \(the one action\): the stack's AWS APIs over HTTP on 127\.0\.0\.1/);
  });
});
