/**
 * docs/writing-probes.md's example, run as a user would: gameday packed with `npm pack`, installed
 * from the tarball into a scratch CommonJS project, the page's files written there, `npx chaos`
 * run. The files come from the page itself, so the page cannot drift from what works.
 *
 * No network: `npm install --offline` cannot resolve the tarball's dependencies from an empty
 * cache (it needs their registry metadata), so the project's node_modules is seeded with a
 * hard-linked copy of this repository's (same versions as the lock file; npm then only adds
 * gameday and prunes what it does not need, unlinking, never writing into the shared files).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { parse } from "yaml";
import { REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 180_000 });

const run = promisify(execFile);
const DOC = join(REPO, "docs", "writing-probes.md");

/** The page's files: fenced blocks whose info string names a path, such as ```js probes/x.mjs. */
function docFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of readFileSync(DOC, "utf8").matchAll(/^```\w+ ([\w./-]+)\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

async function sh(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NO_COLOR: "1", npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  try {
    const r = await run(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? String(err) };
  }
}

describe("a probe in a user's own project (docs/writing-probes.md)", () => {
  it("installs gameday from its npm pack tarball and runs the page's probe against the sandbox", async () => {
    const files = docFiles();
    expect([...files.keys()].sort()).toEqual(["experiments/stream-capacity.yaml", "package.json", "probes/stream-capacity.mjs"]);
    // A CommonJS project, where the probe must be .mjs.
    expect(JSON.parse(files.get("package.json")!).type).toBeUndefined();

    const dir = scratch();
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // dist/ is built by the test setup; --ignore-scripts skips the prepare build.
    const pack = await sh("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], REPO);
    expect(pack.stderr).not.toMatch(/npm error/);
    const tarball = join(dir, pack.stdout.trim().split("\n").at(-1)!);
    expect(existsSync(tarball)).toBe(true);

    const project = join(dir, "project");
    mkdirSync(project);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    }
    expect((await sh("cp", ["-al", join(REPO, "node_modules"), join(project, "node_modules")], project)).code).toBe(0);
    const install = await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], project);
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.code).toBe(0);
    // The packed copy, not this checkout.
    expect(realpathSync(join(project, "node_modules", "gameday"))).toBe(join(realpathSync(project), "node_modules", "gameday"));

    const described = await sh("npx", ["chaos", "describe", "stream-capacity"], project);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/stream-capacity \(probe\)[\s\S]*stream\s+string; required/);
    expect(described.stdout).toMatch(/returns:[\s\S]*openShards\s+count: Open shards now/);

    expect((await sh("npx", ["chaos", "validate", "experiments/stream-capacity.yaml"], project)).code).toBe(0);

    const r = await sh("npx", ["chaos", "run", "stream-capacity", "--seed", "1", "--log-format", "plain"], project);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // What the probe read through ctx.aws.kinesis() is what the sandbox's stack declares.
    const stack = parse(readFileSync(join(REPO, "fixtures", "stacks", "default.yaml"), "utf8")) as { kinesis: { streams: { name: string; shards: number }[] } };
    const shards = stack.kinesis.streams.find((s) => s.name === "app-logs")!.shards;
    const journal = JSON.parse(readFileSync(join(project, "journal.json"), "utf8"));
    expect(journal.steady_states.before.probes[0].output).toEqual({ status: "ACTIVE", openShards: shards, fewestOpenShards: shards });
    expect(r.stdout).toContain(`app-logs: ACTIVE, ${shards} open shard(s)`);
  });
});
