import { describe, expect, it, vi } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chaos, REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const library = pathToFileURL(join(REPO, "dist", "src", "index.js")).href;

describe("a team's own probes", () => {
  it("are loaded from ./probes like the built-in ones, with their parameters validated at their position", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "probes"));
    // What a user writes: import { defineProbe, z } from "gameday".
    writeFileSync(
      join(dir, "probes", "web-tasks.mjs"),
      [
        `import { defineProbe, z } from ${JSON.stringify(library)};`,
        `import { ListTasksCommand } from ${JSON.stringify(pathToFileURL(join(REPO, "node_modules", "@aws-sdk", "client-ecs", "dist-cjs", "index.js")).href)};`,
        "export default defineProbe({",
        '  name: "web-tasks",',
        '  description: "how many tasks the web service runs",',
        "  params: z.object({ cluster: z.string(), service: z.string() }).strict(),",
        "  async run(ctx) {",
        "    const ecs = await ctx.aws.ecs();",
        "    const out = await ecs.send(new ListTasksCommand({ cluster: ctx.params.cluster, serviceName: ctx.params.service }));",
        "    return { value: out.taskArns.length };",
        "  },",
        "});",
        "",
      ].join("\n"),
    );
    const experiment = (service: unknown) =>
      ["title: web runs six tasks", "description: checked by a team's own probe", "steady-state-hypothesis:", "  title: six tasks", "  probes:", "    - probe: web-tasks", `      with: { cluster: prod, service: ${JSON.stringify(service)} }`, '      tolerance: "== 6"', "method:", "  - pause: PT10S", ""].join("\n");
    writeFileSync(join(dir, "own.yaml"), experiment("web"));
    const r = await chaos(["run", "own.yaml", "--seed", "5", "--log-format", "plain"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")).steady_states.before.probes[0].output).toBe(6);

    writeFileSync(join(dir, "bad.yaml"), experiment(42));
    const bad = await chaos(["validate", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:7:\d+: steady-state-hypothesis\.probes\[0\]\.with\.service: expected a string, found 42/);
  });
});

describe("TypeScript probes", () => {
  it("a .ts probe Node cannot load does not shadow a built-in one (running from a source checkout), and alone it gets a clear error", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "probes"));
    const ts = 'import { defineProbe } from "gameday";\nconst n: number = 1;\nexport default defineProbe({ name: "x", description: "", params: null as never, async run() { return { value: n }; } });\n';
    writeFileSync(join(dir, "probes", "http-slo.ts"), ts);
    writeFileSync(join(dir, "probes", "only-ts.ts"), ts);
    const r = await chaos(["run", "task-kill", "--seed", "4", "--log-format", "plain"], { cwd: dir });
    expect(r.code).toBe(0);
    writeFileSync(join(dir, "exp.yaml"), ["title: t", "description: d", "method:", "  - probe: only-ts", ""].join("\n"));
    const bad = await chaos(["validate", "exp.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/exp\.yaml:4:\d+: method\[0\]\.probe: .*only-ts\.ts\) is TypeScript.*compile it to \.js/);
  });
});

describe("structured logs", () => {
  it("--log-format json writes one JSON object per event on stderr and no timeline on stdout", async () => {
    const dir = scratch();
    const r = await chaos(["run", "task-kill", "--seed", "2", "--log-format", "json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const events = r.stderr.trim().split("\n").map((l) => JSON.parse(l) as { event: string; time: string; level: number });
    expect(events[0]).toMatchObject({ event: "run-started" });
    // The verdict, then where the journal went (as plain's journal: line), last.
    expect(events.slice(-2)).toMatchObject([{ event: "verdict", verdict: "held", exitCode: 0 }, { event: "journal", path: expect.stringMatching(/[/\\]\.gameday[/\\]runs[/\\]task-kill-[^/\\]+[/\\]journal\.json$/) }]);
    expect(events.some((e) => e.event === "fault-started")).toBe(true);
    for (const e of events) expect(Date.parse(e.time)).not.toBeNaN();
  });
});

describe("real AWS", () => {
  it("is refused without an allow-list in gameday.yaml, before any call", async () => {
    const r = await chaos(["run", "spot-interrupt", "--target", "aws", "--region", "us-east-1"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to touch AWS: gameday\.yaml has no allow-list/);
  });
});
