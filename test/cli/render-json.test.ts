import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RENDER = fileURLToPath(new URL("../../dist/src/cli/render.js", import.meta.url));

describe("--log-format json", () => {
  it("keeps every reading, even the repeats the timeline collapses", () => {
    // pino writes straight to fd 2: run the renderer in a child process and read its stderr.
    const script = `
      const { jsonRenderer } = await import(${JSON.stringify(RENDER)});
      const r = await jsonRenderer();
      r.event({ type: "run-started", at: 0, runId: "r", title: "t", seed: 1, target: "sandbox", clock: "virtual" });
      for (let i = 1; i <= 5; i++) r.event({ type: "reading", at: i * 1000, probe: "drained-in-time", mode: "on-chaos", ok: false, summary: "same" });
      r.close();`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status).toBe(0);
    const readings = child.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; probe?: string })
      .filter((l) => l.event === "reading");
    expect(readings).toHaveLength(5);
    expect(readings.every((l) => l.probe === "drained-in-time")).toBe(true);
  });
});
