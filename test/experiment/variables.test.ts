import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/experiment/loader.js";
import type { FaultStep, ProcessProvider, ActivityStep } from "../../src/experiment/model.js";
import { splitVarOption } from "../../src/experiment/var-files.js";
import { errorAt, errorsOf, FIXTURES } from "./helpers.js";

const fault = (target: string, head = "") => `title: t\n${head}method:\n  - fault: f\n    target: ${target}\n`;

function targetOf(text: string, options: Parameters<typeof parseExperiment>[2] = { env: {} }) {
  return (parseExperiment(text, "exp.yaml", options).experiment.method[0] as FaultStep).target;
}

describe("${name} substitution", () => {
  const head = "configuration:\n  cluster: web\n  count: 3\n  azs: [a, b]\n  tags: { chaos: ok }\n  on: true\n";

  it("keeps the type of a value when the string is exactly one ${x}", () => {
    const target = targetOf(fault('{ c: "${cluster}", n: "${count}", azs: "${azs}", tags: "${tags}", on: "${on}" }', head));
    expect(target).toEqual({ c: "web", n: 3, azs: ["a", "b"], tags: { chaos: "ok" }, on: true });
  });

  it("writes values into longer strings", () => {
    const target = targetOf(fault('{ arn: "cluster/${cluster}/x${count}", list: "azs=${azs}" }', head));
    expect(target).toEqual({ arn: "cluster/web/x3", list: 'azs=["a","b"]' });
  });

  it("substitutes in every string value, nested, but not in keys", () => {
    const target = targetOf(fault('{ "${cluster}": [{ deep: ["${count}"] }] }', head));
    expect(target).toEqual({ "${cluster}": [{ deep: [3] }] });
  });

  it("substitutes in the title, tolerances and pause durations", () => {
    const text = 'title: "${cluster} survives"\nconfiguration: { cluster: web, wait: PT1M, slo: "<= 300ms" }\nmethod:\n  - pause: "${wait}"\n  - probe: p\n    tolerance: "${slo}"\n';
    const { experiment } = parseExperiment(text, "exp.yaml", { env: {} });
    expect(experiment.title).toBe("web survives");
    expect(experiment.method[0]).toMatchObject({ kind: "pause", duration: 60_000 });
    expect(experiment.method[1]).toMatchObject({ tolerance: { kind: "compare", op: "<=", value: 300, unit: "ms" } });
  });

  it("turns $${x} into a literal ${x}", () => {
    expect(targetOf(fault('{ a: "$${cluster}", b: "cost: $$5 and $${x} then ${cluster}" }', head))).toEqual({
      a: "${cluster}",
      b: "cost: $$5 and ${x} then web",
    });
  });

  it("looks up secrets after configuration, and lists every secret value for redaction", () => {
    const text = fault('{ token: "Bearer ${token}", port: "${port}", c: "${cluster}" }', "configuration: { cluster: web }\nsecrets:\n  api: { token: s3cr3t, port: 5432, cluster: hidden }\n  db: { password: { type: env, key: DB_PASSWORD } }\n");
    const loaded = parseExperiment(text, "exp.yaml", { env: { DB_PASSWORD: "hunter2" } });
    expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ token: "Bearer s3cr3t", port: 5432, c: "web" });
    expect(loaded.experiment.secrets).toEqual({ api: { token: "s3cr3t", port: 5432, cluster: "hidden" }, db: { password: "hunter2" } });
    expect(loaded.secretValues.sort()).toEqual(["5432", "hidden", "hunter2", "s3cr3t"]);
  });

  it("never shows a secret in an error message", () => {
    const text = 'title: t\nsecrets:\n  api: { token: { type: env, key: TOKEN } }\nmethod:\n  - pause: "${token}"\n  - probe: p\n    interval: "every ${token}"\n';
    const errors = errorsOf(text, "exp.yaml", { env: { TOKEN: "hunter2-token" } });
    expect(errors.map((e) => [e.path, e.found])).toEqual([
      ["method[0].pause", '"***": not a duration (from ${token}, set at line 3)'],
      ["method[1].interval", '"every ***": not a duration (from ${token}, set at line 3)'],
    ]);
  });

  it("reads ${env:NAME} from the given environment, never from process.env in parseExperiment", () => {
    process.env.GAMEDAY_TEST_ONLY_IN_PROCESS = "leaked";
    expect(targetOf(fault('{ region: "${env:AWS_REGION}" }'), { env: { AWS_REGION: "eu-west-1" } })).toEqual({ region: "eu-west-1" });
    const error = errorAt(errorsOf(fault('{ x: "${env:GAMEDAY_TEST_ONLY_IN_PROCESS}" }')), "method[0].target.x");
    expect(error.found).toBe("${env:GAMEDAY_TEST_ONLY_IN_PROCESS}, which is not set");
    delete process.env.GAMEDAY_TEST_ONLY_IN_PROCESS;
  });

  it("substitutes inside configuration values, and reports a cycle", () => {
    const ok = targetOf(fault('{ arn: "${arn}" }', 'configuration:\n  cluster: web\n  arn: "arn:aws:ecs:${env:REGION}:1:cluster/${cluster}"\n'), { env: { REGION: "us-east-1" } });
    expect(ok).toEqual({ arn: "arn:aws:ecs:us-east-1:1:cluster/web" });
    const errors = errorsOf(fault('{ a: "${a}" }', 'configuration:\n  a: "${b}"\n  b: "x-${a}"\n'));
    expect(errors.map((e) => [e.path, e.found])).toEqual([["configuration.b", "${a} in the cycle a -> b -> a"]]);
  });

  it("reports an unknown name at its position, and nothing more about that value", () => {
    const errors = errorsOf("title: t\nmethod:\n  - pause: ${wait}\n");
    expect(errors).toEqual([
      { file: "exp.yaml", position: { line: 3, column: 12 }, path: "method[0].pause", expected: "a configuration key, secret or ${env:NAME}", found: "${wait}" },
    ]);
  });

  it("reports a failed ${...} in a ref or a name once", () => {
    const errors = errorsOf("title: t\nmethod:\n  - fault: f\n    name: hit\n  - ref: ${who}\n  - pause: 1s\n    name: ${who}\n");
    expect(errors.map((e) => [e.path, e.found])).toEqual([
      ["method[1].ref", "${who}"],
      ["method[2].name", "${who}"],
    ]);
  });

  it("reports a malformed placeholder", () => {
    const error = errorAt(errorsOf(fault('{ a: "${not a name}" }')), "method[0].target.a");
    expect(error.expected).toContain("write $${ for a literal ${");
  });
});

describe("Chaos Toolkit configuration and secret entries", () => {
  it("reads {type: env} with env_var_type, falling back to the default", () => {
    const head = "configuration:\n  port: { type: env, key: PORT, env_var_type: int }\n  debug: { type: env, key: DEBUG, env_var_type: bool }\n  tags: { type: env, key: TAGS, env_var_type: json }\n  zone: { type: env, key: ZONE, default: [a, b] }\n";
    const target = targetOf(fault('{ port: "${port}", debug: "${debug}", tags: "${tags}", zone: "${zone}" }', head), {
      env: { PORT: "8080", DEBUG: "yes", TAGS: '{"team":"sre"}' },
    });
    expect(target).toEqual({ port: 8080, debug: true, tags: { team: "sre" }, zone: ["a", "b"] });
  });

  it("rejects an env value that does not fit its type, and an unset variable without default", () => {
    const head = "configuration:\n  port: { type: env, key: PORT, env_var_type: int }\n  region: { type: env, key: REGION }\n";
    const errors = errorsOf(fault("{}", head), "exp.yaml", { env: { PORT: "eighty" } });
    expect(errorAt(errors, "configuration.port.key")).toMatchObject({ position: { line: 3, column: 27 }, found: '"eighty"' });
    expect(errorAt(errors, "configuration.port.key").expected).toBe("a whole number (int) in the environment variable PORT (env_var_type: int)");
    expect(errorAt(errors, "configuration.region.key").expected).toBe("the environment variable REGION to be set (configuration `region` reads it and has no default)");
  });

  it("says Vault is not supported, and that dynamic configuration needs Python", () => {
    const head = "configuration:\n  live: { type: probe, name: x, provider: { type: python, module: m, func: f } }\nsecrets:\n  k8s:\n    token: { type: vault, path: secret/k8s, key: token }\n";
    const errors = errorsOf(fault("{}", head));
    expect(errorAt(errors, "secrets.k8s.token.type").expected).toContain("gameday does not read HashiCorp Vault");
    expect(errorAt(errors, "configuration.live.type").expected).toContain("needs Python");
  });
});

describe("--var and --var-file", () => {
  const base = fault('{ stream: "${stream}", producers: "${producers}", region: "${env:AWS_REGION}", token: "${webhook_token}" }', "configuration:\n  stream: app-logs\n  producers: 1\nsecrets:\n  shipper:\n    webhook_token: inline\n");

  it("--var overrides configuration, with Chaos Toolkit's types", () => {
    const target = targetOf(base, { env: { AWS_REGION: "r" }, vars: { stream: "cli-logs", "producers:int": "12" } });
    expect(target).toMatchObject({ stream: "cli-logs", producers: 12 });
    const typed = targetOf(fault('{ f: "${f}", b: "${b}", j: "${j}", s: "${s}" }'), {
      env: {},
      vars: { "f:float": "0.5", "b:bool": "false", "j:json": "[1,2]", "s:str": "007" },
    });
    expect(typed).toEqual({ f: 0.5, b: false, j: [1, 2], s: "007" });
  });

  it("rejects a --var of an unknown type or a value that does not fit", () => {
    const errors = errorsOf(base, "exp.yaml", { env: { AWS_REGION: "r" }, vars: { "producers:int": "many", "stream:list": "a,b" } });
    expect(errorAt(errors, "producers")).toMatchObject({ file: "--var", expected: "a whole number (int)", found: '"many"' });
    expect(errorAt(errors, "stream")).toMatchObject({ file: "--var", found: '"list"' });
  });

  it("refuses a --var the experiment neither declares nor uses, with a suggestion", () => {
    const errors = errorsOf(base, "exp.yaml", { env: { AWS_REGION: "r" }, vars: { strem: "x", "producer:int": "3", unrelated: "y" } });
    expect(errors.map((e) => [e.file, e.path])).toEqual([
      ["--var", "strem"],
      ["--var", "producer"],
      ["--var", "unrelated"],
    ]);
    expect(errors[0]).toMatchObject({
      expected: "a key that exp.yaml declares in `configuration` or uses as ${name}: `stream`, `producers` or `webhook_token` (did you mean `stream`?)",
      found: "`strem`, which it neither declares nor uses",
    });
    expect(errors[1]?.expected).toContain("(did you mean `producers`?)");
    expect(errors[2]?.expected).not.toContain("did you mean");
  });

  it("accepts a --var the experiment only uses as ${name}, or that a var file's value uses", () => {
    expect(targetOf(fault('{ cluster: "${cluster}" }'), { env: {}, vars: { cluster: "staging" } })).toEqual({ cluster: "staging" });
    // The secret's ${...} is resolved from configuration first, so a --var can feed it.
    const text = fault('{ token: "${token}" }', "secrets:\n  api:\n    token: \"Bearer ${raw}\"\n");
    expect(targetOf(text, { env: {}, vars: { raw: "abc" } })).toEqual({ token: "Bearer abc" });
  });

  it("accepts the configuration keys gameday itself reads (the FIS role) without a declaration", () => {
    const loaded = parseExperiment(fault('{ cluster: "prod" }'), "exp.yaml", { env: {}, vars: { fisRoleArn: "arn:aws:iam::123456789012:role/fis" } });
    expect(loaded.experiment.configuration).toMatchObject({ fisRoleArn: "arn:aws:iam::123456789012:role/fis" });
  });

  it("treats a --var that overrides a secret as a secret: its value is redacted", () => {
    const text = fault('{ token: "${token}" }', "secrets:\n  api:\n    token: from-the-file\n");
    const loaded = parseExperiment(text, "exp.yaml", { env: {}, vars: { token: "VARSECRET" } });
    expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ token: "VARSECRET" });
    expect(loaded.secretValues).toContain("VARSECRET");
  });

  it("lets a var file carry keys the experiment does not use (a team's shared file)", () => {
    const loaded = parseExperiment(fault('{ stream: "${stream}" }'), "exp.yaml", { env: {}, varFiles: [`${FIXTURES}vars/flat.json`] });
    expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ stream: "billing-logs" });
    expect(loaded.experiment.configuration).toMatchObject({ outage: "PT17H" });
  });

  it("splits a command-line --var at its first =", () => {
    expect(splitVarOption("url:str=http://x/?a=b")).toEqual(["url:str", "http://x/?a=b"]);
    expect(splitVarOption("novalue")).toBeUndefined();
  });

  it("reads a Chaos Toolkit var file (configuration and secrets), a flat JSON map and a .env file, later files winning", () => {
    const loaded = parseExperiment(base, "exp.yaml", {
      env: { AWS_REGION: "from-process" },
      varFiles: [`${FIXTURES}vars/ctk-style.yaml`, `${FIXTURES}vars/flat.json`, `${FIXTURES}vars/staging.env`],
    });
    expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ stream: "billing-logs", producers: 8, region: "eu-west-1", token: "from-var-file" });
    expect(loaded.experiment.configuration).toMatchObject({ stream: "billing-logs", producers: 8, outage: "PT17H" });
    expect(loaded.secretValues).toContain("from-var-file");
    expect(process.env.AWS_REGION).not.toBe("eu-west-1");
  });

  it("a .env var file feeds {type: env} entries, with quotes and comments handled", () => {
    const text = fault('{ token: "${token}", empty: "${env:EMPTY}" }', "secrets:\n  shipper:\n    token: { type: env, key: SHIPPER_WEBHOOK_TOKEN }\n");
    const loaded = parseExperiment(text, "exp.yaml", { env: {}, varFiles: [`${FIXTURES}vars/staging.env`] });
    expect((loaded.experiment.method[0] as FaultStep).target).toEqual({ token: "tok en#1", empty: "" });
    expect(loaded.secretValues).toEqual(["tok en#1"]);
  });

  it("reports errors in var files with the var file's name and line", () => {
    const errors = errorsOf(fault("{}"), "exp.yaml", { env: {}, varFiles: [`${FIXTURES}vars/broken.env`, `${FIXTURES}vars/broken.yaml`, `${FIXTURES}vars/missing.yaml`] });
    const where = errors.map((e) => [e.file.replace(FIXTURES, ""), e.position?.line, e.path]);
    expect(where).toEqual([
      ["vars/broken.env", 2, "(document)"],
      ["vars/broken.env", 3, "(document)"],
      ["vars/broken.yaml", 5, "secrets.vault.token.type"],
      ["vars/broken.yaml", 6, "extra"],
      ["vars/missing.yaml", undefined, "(document)"],
    ]);
    expect(errors[4]).toMatchObject({ expected: "a readable var file", found: "no such file" });
  });
});

describe("a problem with a substituted value says where the value was set", () => {
  const pause = (head = "") => `title: t\n${head}method:\n  - pause: "\${wait}"\n`;

  it("names the --var, the var file's line or the configuration's line, not only the placeholder's", () => {
    const byVar = errorAt(errorsOf(pause(), "exp.yaml", { env: {}, vars: { wait: "soon" } }), "method[0].pause");
    expect(byVar).toMatchObject({ file: "exp.yaml", position: { line: 3 }, found: '"soon": not a duration (from ${wait}, set by --var wait)' });
    const inFile = errorAt(errorsOf(pause("configuration:\n  wait: soon\n")), "method[0].pause");
    expect(inFile.found).toBe('"soon": not a duration (from ${wait}, set at line 3)');
    const byFile = errorAt(errorsOf('title: t\nmethod:\n  - pause: "${stream}"\n', "exp.yaml", { env: {}, varFiles: [`${FIXTURES}vars/flat.json`] }), "method[0].pause");
    expect(byFile.found).toMatch(new RegExp(`^"billing-logs": not a duration \\(from \\$\\{stream\\}, set at ${FIXTURES}vars/flat\\.json:\\d+:\\d+\\)$`));
  });

  it("names every placeholder a longer string was built from, and the environment for ${env:NAME}", () => {
    const text = 'title: t\nconfiguration:\n  unit: weeks\nmethod:\n  - pause: "${n}${unit}"\n  - pause: "${env:WAIT}"\n';
    const errors = errorsOf(text, "exp.yaml", { env: { WAIT: "later" }, vars: { n: "2" } });
    expect(errorAt(errors, "method[0].pause").found).toBe('"2weeks": not a duration (from ${n}, set by --var n, and ${unit}, set at line 3)');
    expect(errorAt(errors, "method[1].pause").found).toBe('"later": not a duration (from ${env:WAIT}, set in the environment)');
  });

  it("names the .env var file's line for an ${env:NAME} it set, which wins over the process's", () => {
    const text = 'title: t\nmethod:\n  - pause: "${env:AWS_REGION}"\n';
    const errors = errorsOf(text, "exp.yaml", { env: { AWS_REGION: "from-the-shell" }, varFiles: [`${FIXTURES}vars/staging.env`] });
    expect(errorAt(errors, "method[0].pause").found).toMatch(new RegExp(`^"eu-west-1": not a duration \\(from \\$\\{env:AWS_REGION\\}, set at ${FIXTURES}vars/staging\\.env:\\d+\\)$`));
  });

  it("gives an unknown key no origin of its value: the key is written in the file", () => {
    const text = 'title: t\nmethod:\n  - pause: PT1S\n    bogus: "${x}"\n';
    const errors = errorsOf(text, "exp.yaml", { env: {}, vars: { x: "1" } });
    expect(errorAt(errors, "method[0].bogus").found).toBe("the unknown key `bogus`");
  });

  it("says nothing more for a value written as is", () => {
    expect(errorAt(errorsOf('title: t\nmethod:\n  - pause: soon\n'), "method[0].pause").found).toBe('"soon": not a duration');
  });
});

describe("values stay where they belong", () => {
  it("keeps process arguments as strings after substitution", () => {
    const text = 'title: t\nconfiguration: { n: 3 }\nmethod:\n  - type: action\n    name: scale\n    provider: { type: process, path: kubectl, arguments: [scale, "--replicas=${n}", "${n}"] }\n';
    const step = parseExperiment(text, "exp.yaml", { env: {} }).experiment.method[0] as ActivityStep;
    expect((step.provider as ProcessProvider).arguments).toEqual(["scale", "--replicas=3", "3"]);
  });
});
