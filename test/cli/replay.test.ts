/**
 * The replay command a run records (journal `gameday.replay`, reports, JUnit failures): every flag
 * that changes what runs, as the user typed it and shell-quoted; none that only shapes the output.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { replayInputs, type RunFlags } from "../../src/cli/run-command.js";
import { replayArgs, replayCommand } from "../../src/cli/replay.js";

const CWD = "/home/me/infra";
const FILE = "/opt/gameday/experiments/asg-scale-in.yaml";
const replay = (flags: Omit<RunFlags, "target"> & { target?: string }, name: string | undefined = "asg-scale-in", vars: Record<string, string> = {}) =>
  replayCommand(replayInputs(name, FILE, 7, { target: "sandbox", ...flags }, vars, CWD));

describe("the replay command of a run", () => {
  it("keeps --lifecycle-handler and --handler, as typed (relative to where the run was started) and shell-quoted", () => {
    const r = replay({ stack: "fixtures/stacks/asg-lifecycle-no-drain.yaml", lifecycleHandler: ["that.mjs", "my handlers/drain's.mjs"], handler: ["spot.mjs"] });
    expect(r).toBe(
      "chaos run asg-scale-in --seed 7 --stack fixtures/stacks/asg-lifecycle-no-drain.yaml --handler spot.mjs --lifecycle-handler that.mjs --lifecycle-handler 'my handlers/drain'\\''s.mjs'",
    );
  });

  it("keeps --speed: scaled real time is another run than virtual time", () => {
    expect(replay({ speed: "50" })).toBe("chaos run asg-scale-in --seed 7 --speed 50");
    expect(replay({ speed: "0.5" })).toBe("chaos run asg-scale-in --seed 7 --speed 0.5");
  });

  it("keeps the target's region, profile and load URLs, the inputs and the strategies", () => {
    const r = replay(
      { target: "aws", region: "eu-west-1", profile: "staging", url: ["web=https://staging.example.com/?a=1&b=2"], varFile: ["vars/prod.yaml"], hypothesisStrategy: "continuously", rollbackStrategy: "never", failFast: true },
      "asg-scale-in",
      { "count:int": "2" },
    );
    expect(r).toBe(
      "chaos run asg-scale-in --seed 7 --target aws --region eu-west-1 --profile staging --url 'web=https://staging.example.com/?a=1&b=2' --var count:int=2 --var-file vars/prod.yaml --hypothesis-strategy continuously --rollback-strategy never --fail-fast",
    );
  });

  it("keeps --project: the gameday.yaml, probes and experiments the run read (a gate's runs work elsewhere)", () => {
    expect(replay({ project: "/home/me/infra" })).toBe("chaos run asg-scale-in --seed 7 --project /home/me/infra");
    expect(replay({})).not.toContain("--project");
  });

  it("leaves out what only shapes the output: --journal-path, --report, --log-format, --verbose", () => {
    expect(replay({ journalPath: "out/j.json", report: ["html", "junit"], logFormat: "json", verbose: true })).toBe("chaos run asg-scale-in --seed 7");
  });

  it("replays a --fis-template run from the template, not from the experiment generated for it", () => {
    const generated = join(CWD, ".gameday", "fis-templates", "t.fis-template.yaml");
    expect(replayCommand(replayInputs(undefined, generated, 7, { target: "aws", fisTemplate: "templates/t.json" }, { bucket: "b" }, CWD))).toBe("chaos run --fis-template templates/t.json --seed 7 --target aws --var bucket=b");
  });

  it("names the experiment as given, or by its path relative to the working directory", () => {
    expect(replayCommand(replayInputs(undefined, join(CWD, "exp", "x.yaml"), 7, { target: "sandbox" }, {}, CWD))).toBe("chaos run exp/x.yaml --seed 7");
    expect(replayArgs(replayInputs("./my exp.yaml", FILE, 7, { target: "sandbox" }, {}, CWD)).slice(0, 3)).toEqual(["chaos", "run", "./my exp.yaml"]);
  });
});
