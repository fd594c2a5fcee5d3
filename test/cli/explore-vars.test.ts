/**
 * What `chaos explore --var/--var-file` writes into the replay file: the configuration values as
 * the run resolved them, never a secret; a var file with secrets or environment stays on the
 * replay command line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExperiment } from "../../src/experiment/index.js";
import { replayVarFlags, varsToWrite, withConfiguration } from "../../src/cli/explore-vars.js";

const EXPERIMENT = `title: t
configuration: { cluster: prod, notice: PT2M, replicas: 2, token: "\${apiToken}" }
secrets:
  api: { apiToken: "from-the-file" }
method:
  - pause: "\${notice}"
`;

describe("explore variables in the replay file", () => {
  it("writes --var and var-file configuration as resolved (typed), keeps secrets out, and names what the replay still needs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "explore-vars-"));
    const file = join(dir, "exp.yaml");
    writeFileSync(file, EXPERIMENT);
    const plain = join(dir, "plain.yaml");
    writeFileSync(plain, "configuration: { notice: PT3M }\n");
    const secret = join(dir, "secret.yaml");
    writeFileSync(secret, "secrets:\n  api: { apiToken: s3cr3t-value }\n");
    const vars = { "replicas:int": "5", cluster: "staging" };
    const loaded = await loadExperiment(file, { vars, varFiles: [plain, secret] });
    const written = varsToWrite(loaded, vars, [plain, secret]);
    expect(written.configuration).toEqual({ notice: "PT3M", replicas: 5, cluster: "staging" });
    expect(written.varFilesForReplay).toEqual([secret]);
    expect(JSON.stringify(written)).not.toContain("s3cr3t-value");
    const raw = withConfiguration(loaded.raw as Record<string, unknown>, written.configuration);
    // The authored entries that were not overridden stay as written, templates included.
    expect(raw.configuration).toEqual({ cluster: "staging", notice: "PT3M", replicas: 5, token: "${apiToken}" });
    expect(replayVarFlags(written, (p) => p.slice(dir.length + 1))).toBe(" --var-file secret.yaml");
  });

  it("does not write a --var that carries a secret: the replay command asks for it again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "explore-vars-"));
    const file = join(dir, "exp.yaml");
    writeFileSync(file, EXPERIMENT);
    const vars = { apiToken: "typed-on-the-command-line", token: "typed-on-the-command-line" };
    const loaded = await loadExperiment(file, { vars, varFiles: [] });
    const written = varsToWrite(loaded, vars, []);
    expect(written.configuration).toEqual({});
    // A --var named like a secret is one, and so is a configuration value that carries it.
    expect(written.secretVars).toEqual(["apiToken", "token"]);
    expect(replayVarFlags(written, (p) => p)).toBe(" --var apiToken=… --var token=…");
  });
});
