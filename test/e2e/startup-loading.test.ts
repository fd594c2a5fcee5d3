/**
 * What a command loads is most of what it costs to start (issue 13: `chaos run spot-interrupt`
 * as a whole process). These run the compiled CLI with a recorder in front of Node's module
 * loaders and check that code a command cannot use stays unloaded: the AWS SDK for commands that
 * send nothing (src/aws/sdk/load.ts, lazySdk), and the SDK clients and sandbox services that a run
 * on an ECS stack never calls (src/sandbox/sandbox.ts, optionalServices). And what a command does
 * load from CommonJS goes through the V8 code cache (src/aws/sdk/code-cache.ts), yaml included.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { chaos, REPO, scratch } from "./cli.js";

/** Writes the recorder into `dir`: ES modules through a loader hook, CommonJS from require's cache at exit. */
function recorder(dir: string): { env: Record<string, string>; loaded: () => string[] } {
  const log = join(dir, "loaded.txt");
  writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`);
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  writeFileSync(join(dir, "cjs.cjs"), `process.on("exit", () => require("fs").appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join("\\n") + "\\n"));\n`);
  return {
    env: { NODE_OPTIONS: `--require ${join(dir, "cjs.cjs")} --import ${pathToFileURL(join(dir, "register.mjs")).href}` },
    loaded: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

const sdkClients = (files: string[]) => [...new Set(files.map((f) => /node_modules\/@aws-sdk\/(client-[\w-]+)\//.exec(f)?.[1]).filter((c): c is string => c !== undefined))].sort();

describe("what a command loads", () => {
  it("chaos validate loads no AWS SDK client", async () => {
    const dir = scratch();
    const rec = recorder(dir);
    const r = await chaos(["validate", join(REPO, "experiments", "spot-interrupt.yaml")], { cwd: dir, env: rec.env });
    expect(r.code, r.stderr).toBe(0);
    const loaded = rec.loaded();
    // The recorder saw the experiment's modules being loaded, and no SDK client among them.
    expect(loaded.some((f) => f.endsWith("/dist/src/faults/spot-interrupt.js"))).toBe(true);
    expect(sdkClients(loaded)).toEqual([]);
  });

  it("chaos run on the default (ECS) stack loads neither the Lambda and EFS clients nor the sandbox's Lambda and EFS services", async () => {
    const dir = scratch();
    const rec = recorder(dir);
    const r = await chaos(["run", "spot-interrupt", "--seed", "7", "--log-format", "plain"], { cwd: dir, env: rec.env });
    expect(r.code, r.stderr).toBe(0);
    const loaded = rec.loaded();
    const clients = sdkClients(loaded);
    // The clients it sends to: spot-interrupt resolves its spot instances with EC2 DescribeInstances.
    expect(clients).toContain("client-ec2");
    expect(clients).not.toContain("client-lambda");
    expect(clients).not.toContain("client-efs");
    expect(loaded.filter((f) => /\/dist\/src\/sandbox\/services\/(lambda\/service|efs\/file-system)\.js$/.test(f))).toEqual([]);
  });

  it("a command puts the code cache in front of the CommonJS it loads, yaml included", async () => {
    const dir = scratch();
    const cache = join(dir, "code-cache");
    const r = await chaos(["validate", join(REPO, "experiments", "spot-interrupt.yaml")], { cwd: dir, env: { GAMEDAY_CODE_CACHE: cache } });
    expect(r.code, r.stderr).toBe(0);
    // validate loads no SDK client: what it saved is yaml's (72 files in yaml 2.9), compiled on its behalf.
    const [versionDir] = readdirSync(cache);
    expect(readdirSync(join(cache, versionDir!)).filter((f) => f.endsWith(".bin")).length).toBeGreaterThanOrEqual(50);
  });
});
