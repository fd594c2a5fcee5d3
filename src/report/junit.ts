/**
 * JUnit XML as the Apache Ant JUnit schema defines it (the XSD Jenkins and most CI servers read:
 * https://github.com/windyroad/JUnit-Schema/blob/master/JUnit.xsd): `testsuites` holds one
 * `testsuite` per run (required: name, package, id from 0, timestamp without a time zone,
 * hostname, tests, failures, errors, time; then exactly one `properties`, the `testcase`s, one
 * `system-out` and one `system-err`). A testcase (name, classname, time) carries at most one of
 * `skipped`, `error` or `failure` (type required, message optional, text the details).
 *
 * Testcases per run: the experiment's verdict, each steady-state check, and each probe verdict by
 * mode. A deviation is a failure whose message is the reason and whose text ends with the replay
 * command; a probe or run that could not measure is an error; a probe that never read is skipped,
 * and so is a steady-state check of a run without a hypothesis (it read nothing: not a pass).
 *
 * CI reads a suite's `timestamp` and `time` as when the tests ran and how long they took: they are
 * the run's wall-clock times (the journal's `gameday.wallClock`), not its own clock's, which on
 * the embedded sandbox is virtual (a run of minutes that took seconds). The run's own start and
 * duration stay in the properties. A journal without wall-clock times (older gameday) gives its
 * own start and duration, as before.
 */
import { escapeXml as esc } from "./escape.js";
import { elapsed } from "./svg-chart.js";
import { judgedCheck, type RunReport } from "./run-report.js";

interface Case {
  name: string;
  classname: string;
  time: number;
  outcome?: { kind: "failure" | "error" | "skipped"; type?: string; message?: string; text?: string };
}

const FAILED_VERDICTS = new Set(["deviated"]);
const ERROR_VERDICTS = new Set(["error", "aborted", "interrupted", "incomplete"]);

function replayText(run: RunReport): string {
  return run.replay ? `\nreplay: ${run.replay}` : "";
}

/** When the run started and how long it took, by the wall clock when the journal has it. */
function wallTimes(run: RunReport): { start: string; seconds: number } {
  if (run.wallClock) return { start: run.wallClock.start, seconds: run.wallClock.durationSeconds ?? 0 };
  return { start: run.start, seconds: run.durationSeconds ?? 0 };
}

function casesOf(run: RunReport): Case[] {
  // The experiment's name: the run id without its seed and, for a rerun with the same seed, its `.<n>`.
  const classname = `gameday.${run.runId.replace(/-[0-9a-f]{8}(?:\.\d+)?$/, "")}`;
  const seconds = wallTimes(run).seconds;
  const cases: Case[] = [];
  const verdictOutcome: Case["outcome"] = FAILED_VERDICTS.has(run.verdict)
    ? { kind: "failure", type: run.verdict, message: run.summary, text: `${run.summary}${replayText(run)}` }
    : ERROR_VERDICTS.has(run.verdict)
      ? { kind: "error", type: run.verdict, message: run.summary, text: `${run.summary}${replayText(run)}` }
      : undefined;
  cases.push({ name: `experiment: ${run.title}`, classname, time: seconds, ...(verdictOutcome ? { outcome: verdictOutcome } : {}) });
  for (const s of run.steadyStates) {
    const missed = s.probes.filter((p) => !p.met).map((p) => `${p.name}: ${p.output}`);
    cases.push({
      name: `steady state ${s.when}`,
      classname,
      time: 0,
      // Without a hypothesis the check read nothing: skipped, not a pass.
      ...(!judgedCheck(s) ? { outcome: { kind: "skipped" as const, message: "no steady-state hypothesis: nothing to judge" } } : s.met ? {} : { outcome: { kind: "failure" as const, type: "steady-state-not-met", message: `the steady state was not met ${s.when}`, text: `${missed.join("\n")}${replayText(run)}` } }),
    });
  }
  for (const p of run.probes) {
    const name = `${p.step} [${p.mode}]`;
    const where = p.at !== undefined ? `${elapsed(p.at)}: ` : "";
    const outcome: Case["outcome"] =
      p.verdict === "failed"
        ? { kind: "failure", type: "deviated", message: `${p.failed} of ${p.readings} readings failed; first: ${p.detail}`, text: `${where}${p.detail}${replayText(run)}` }
        : p.verdict === "error"
          ? { kind: "error", type: "unreadable", message: p.detail, text: `${where}${p.detail}${replayText(run)}` }
          : p.verdict === "not-run"
            ? { kind: "skipped", message: "never read" }
            : undefined;
    cases.push({ name, classname, time: 0, ...(outcome ? { outcome } : {}) });
  }
  return cases;
}

function caseXml(c: Case): string {
  const open = `    <testcase name="${esc(c.name)}" classname="${esc(c.classname)}" time="${c.time.toFixed(3)}"`;
  if (!c.outcome) return `${open}/>`;
  const o = c.outcome;
  if (o.kind === "skipped") return `${open}>\n      <skipped/>\n    </testcase>`;
  return `${open}>\n      <${o.kind} type="${esc(o.type ?? o.kind)}"${o.message !== undefined ? ` message="${esc(o.message)}"` : ""}>${esc(o.text ?? "")}</${o.kind}>\n    </testcase>`;
}

/** The schema's timestamp has no time zone: UTC, without the "Z" and the milliseconds. */
function timestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "1970-01-01T00:00:00" : d.toISOString().slice(0, 19);
}

export function renderJunit(runs: RunReport[], hostname = "localhost"): string {
  const suites = runs.map((run, id) => {
    const cases = casesOf(run);
    const wall = wallTimes(run);
    const count = (kind: string) => cases.filter((c) => c.outcome?.kind === kind).length;
    const props: [string, string][] = [
      ["runId", run.runId],
      ["seed", String(run.seed)],
      ["target", run.target],
      ["verdict", run.verdict],
      ...(run.exitCode !== undefined ? [["exitCode", String(run.exitCode)] as [string, string]] : []),
      ...(run.replay ? [["replay", run.replay] as [string, string]] : []),
      ["journal", run.file],
      // The run's own clock (virtual on the embedded sandbox), when the suite's times are the wall clock's.
      ...(run.wallClock
        ? ([
            ["runClock", run.clock],
            ["runStart", run.start],
            ...(run.durationSeconds !== undefined ? [["runDuration", run.durationSeconds.toFixed(3)]] : []),
          ] as [string, string][])
        : []),
    ];
    return [
      `  <testsuite name="${esc(run.title)}" package="gameday" id="${id}" timestamp="${timestamp(wall.start)}" hostname="${esc(hostname || "localhost")}" tests="${cases.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}" time="${wall.seconds.toFixed(3)}">`,
      `    <properties>`,
      ...props.map(([n, v]) => `      <property name="${esc(n)}" value="${esc(v)}"/>`),
      `    </properties>`,
      ...cases.map(caseXml),
      `    <system-out>${esc(`${run.summary}${replayText(run)}`)}</system-out>`,
      `    <system-err>${esc(run.warnings.join("\n"))}</system-err>`,
      `  </testsuite>`,
    ].join("\n");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join("\n")}\n</testsuites>\n`;
}
