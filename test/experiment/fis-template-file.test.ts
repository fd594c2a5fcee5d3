import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docPathOf, loadFisTemplateFile } from "../../src/experiment/fis-template-file.js";
import { InvalidInputError } from "../../src/experiment/model.js";
import { fisCatalog } from "../../src/fis/catalog.js";

const valid = () => JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/fis/valid/kinesis-throttle.json"), "utf8")) as Record<string, any>;

function write(content: string, name = "t.json"): string {
  const file = join(mkdtempSync(join(tmpdir(), "fis-template-")), name);
  writeFileSync(file, content);
  return file;
}

function problems(file: string, vars: Record<string, string> = {}): string {
  try {
    loadFisTemplateFile(file, "t.json", fisCatalog, vars);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.message;
    throw err;
  }
  return "none";
}

describe("docPathOf", () => {
  it("keeps names that hold dots whole", () => {
    const doc = { actions: { "stop.web": { parameters: { duration: "x" } } } };
    expect(docPathOf("actions.stop.web.parameters.duration", doc)).toEqual(["actions", "stop.web", "parameters", "duration"]);
  });

  it("reads list indexes", () => {
    expect(docPathOf("stopConditions[1].value", { stopConditions: [{}, {}] })).toEqual(["stopConditions", 1, "value"]);
  });
});

describe("loadFisTemplateFile", () => {
  it("reads the create-experiment-template input and the get-experiment-template output alike", () => {
    const input = valid();
    const asInput = loadFisTemplateFile(write(JSON.stringify(input)), "t.json", fisCatalog);
    const asOutput = loadFisTemplateFile(write(JSON.stringify({ experimentTemplate: { id: "EXT1", arn: "arn:aws:fis:us-east-1:111122223333:experiment-template/EXT1", creationTime: 1, lastUpdateTime: 2, ...input } })), "t.json", fisCatalog);
    expect(asInput.shape).toBe("create-input");
    expect(asOutput.shape).toBe("get-output");
    expect(asOutput.spec).toEqual(asInput.spec);
  });

  it("reads YAML too, with its lines", () => {
    const file = write(["description: d", "targets: {}", "actions:", "  wait:", "    actionId: aws:fis:wait", "    parameters: { duration: PT0S }", "stopConditions: [{ source: none }]", "roleArn: arn:aws:iam::111122223333:role/fis", ""].join("\n"), "t.yaml");
    expect(problems(file)).toMatch(/^t\.json:6:29: actions\.wait\.parameters\.duration: expected a template FIS accepts, found ValidationException: Invalid value for parameter "duration"/);
  });

  it("substitutes ${name} from vars, and reports a name vars lacks at its line", () => {
    const t = valid();
    t.actions.kinesis.parameters.duration = "${length}";
    t.targets["KinesisStreams-Target-1"].resourceTags = { app: "${app}" };
    const file = write(JSON.stringify(t, null, 2));
    const loaded = loadFisTemplateFile(file, "t.json", fisCatalog, { length: "PT2M", app: "web" });
    expect(loaded.spec.actions.kinesis!.parameters!.duration).toBe("PT2M");
    expect(loaded.spec.targets["KinesisStreams-Target-1"]!.resourceTags).toEqual({ app: "web" });
    expect(problems(file, { length: "PT2M" })).toBe("t.json:7:16: targets.KinesisStreams-Target-1.resourceTags.app: expected a value for it: --var app=VALUE with --fis-template, or in the fis-template step's vars (given: `length`), found `${app}`");
  });

  it("says a template takes only ${name} from vars: not ${env:NAME}, nor a malformed placeholder", () => {
    const t = valid();
    t.targets["KinesisStreams-Target-1"].resourceTags = { app: "${env:HOME}", team: "${a b}" };
    const file = write(JSON.stringify(t, null, 2));
    const reported = problems(file).split("\n");
    expect(reported).toHaveLength(2);
    for (const line of reported) expect(line).toMatch(/: expected \$\{name\} with a name of letters, .*, filled from vars or --var \(a template reads no environment; write \$\$\{ for a literal \$\{\), found `\$\{(env:HOME|a b)\}`$/);
    expect(problems(file)).not.toContain("--var NAME=VALUE");
  });

  it("names the actions gameday knows when a template names another", () => {
    const t = valid();
    t.actions.kinesis.actionId = "aws:rds:reboot-db-instances";
    expect(problems(write(JSON.stringify(t, null, 2)))).toMatch(
      /^t\.json:\d+:\d+: actions\.kinesis\.actionId: expected a template FIS accepts, found ValidationException: Unknown actionId "aws:rds:reboot-db-instances" in action "kinesis"; gameday knows: aws:ec2:send-spot-instance-interruptions, /,
    );
  });

  it("reports a file that is not a template, and one that is not there", () => {
    expect(problems(write("[1, 2]"))).toMatch(/^t\.json:1:1: \(document\): expected a FIS experiment template/);
    expect(problems("/nonexistent/t.json")).toBe("t.json: (document): expected a readable FIS experiment template file (JSON or YAML), found no such file");
  });
});
