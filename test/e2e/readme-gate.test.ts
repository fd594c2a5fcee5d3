/**
 * The README's GitHub Actions workflow and GitLab job, run as written: the test reads the YAML
 * blocks from the README, takes the workflow's `run:` steps for each shard of its matrix, and runs
 * the `npx chaos` ones with the compiled CLI in a checkout-like directory (`npm ci` is what set up
 * this test's own node_modules). The GitLab job must run the same commands.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { marked, type Tokens } from "marked";
import { parse } from "yaml";
import { XMLParser } from "fast-xml-parser";
import { chaos, REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 900_000 });

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const blocks = marked
  .lexer(readme)
  .filter((t): t is Tokens.Code => t.type === "code" && t.lang === "yaml")
  .map((t) => parse(t.text) as Record<string, any>);
const workflow = blocks.find((b) => b.jobs?.gate)!;
const gitlab = blocks.find((b) => b["resilience-gate"])!["resilience-gate"];

/** The workflow's run steps for one matrix shard, as the runner would expand them. */
function githubCommands(shard: number): string[] {
  return (workflow.jobs.gate.steps as { run?: string }[]).filter((s) => s.run).map((s) => s.run!.replace(/\$\{\{ matrix\.shard \}\}/g, String(shard)));
}

function gitlabCommands(index: number, total: number): string[] {
  return (gitlab.script as string[]).map((c) => c.replace(/\$CI_NODE_INDEX/g, String(index)).replace(/\$CI_NODE_TOTAL/g, String(total)));
}

describe("the README's CI configurations", () => {
  it("GitLab's job runs the same commands as the GitHub workflow, shard for shard", () => {
    const shards = workflow.jobs.gate.strategy.matrix.shard as number[];
    expect(gitlab.parallel).toBe(shards.length);
    for (const shard of shards) expect(gitlabCommands(shard, shards.length)).toEqual(githubCommands(shard));
    expect(gitlab.artifacts.reports.junit).toBe("gate-results/junit.xml");
  });

  it("the GitHub workflow's commands run the release suite in its shards, each passing, together covering the catalog", async () => {
    const shards = workflow.jobs.gate.strategy.matrix.shard as number[];
    const experiments: string[] = [];
    for (const shard of shards) {
      // A fresh checkout per matrix job.
      const checkout = scratch();
      for (const dir of ["experiments", "fixtures"]) symlinkSync(join(REPO, dir), join(checkout, dir));
      const commands = githubCommands(shard);
      expect(commands[0]).toBe("npm ci");
      for (const command of commands.slice(1)) {
        expect(command).toMatch(/^npx chaos /);
        const r = await chaos(command.replace(/^npx chaos /, "").split(" "), { cwd: checkout, env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: join(checkout, "summary.md") } });
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).not.toMatch(/^::error/m);
      }
      const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "testsuite" || n === "property" }).parse(readFileSync(join(checkout, "gate-results", "junit.xml"), "utf8"));
      for (const suite of junit.testsuites.testsuite as { failures: string; errors: string; properties: { property: { name: string; value: string }[] } }[]) {
        expect([suite.failures, suite.errors]).toEqual(["0", "0"]);
        experiments.push(suite.properties.property.find((p) => p.name === "runId")!.value.replace(/-[0-9a-f]{8}$/, ""));
      }
      expect(readFileSync(join(checkout, "summary.md"), "utf8")).toMatch(/^# Release gate: ✅ gate passed/);
    }
    expect(experiments.sort()).toEqual(["kinesis-outage", "kinesis-throttle", "spot-interrupt", "task-kill"]);
  });
});
