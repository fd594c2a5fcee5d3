/**
 * Schedules for the schedulers people already run: EventBridge Scheduler (CloudFormation
 * AWS::Scheduler::Schedule), a GitHub Actions workflow, and systemd timers. Each format can express
 * less than cron with a time zone; what it cannot express is refused with the reason, never
 * approximated. Fields are rebuilt from croner's parsed bitmaps rather than rewritten as text, so
 * names, steps and ranges all come out in the target's own syntax.
 */
import { stringify } from "yaml";
import type { CronSpec } from "./cron.js";
import { scheduleArgs, shellWord } from "./schedule-args.js";
import type { Schedule } from "./schedules-config.js";

export const EXPORT_FORMATS = ["eventbridge", "github", "systemd"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportRefused extends Error {
  constructor(readonly reasons: { schedule: string; where: string; reason: string }[]) {
    super(reasons.map((r) => `${r.where}: schedule ${r.schedule}: ${r.reason}`).join("\n"));
    this.name = "ExportRefused";
  }
}

/** One output file of an export. */
export interface ExportFile {
  name: string;
  text: string;
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
const ANY_NTH = 0b111111;

interface Fields {
  minutes: number[];
  hours: number[];
  days: number[];
  months: number[];
  weekdays: number[];
  lastDay: boolean;
  starDom: boolean;
  starDow: boolean;
}

/** The set values of a croner bitmap, offset by `base` (1 for days and months). */
function set(bits: readonly number[], base = 0): number[] {
  return bits.flatMap((b, i) => (b ? [i + base] : []));
}

function fieldsOf(spec: CronSpec): { fields?: Fields; problem?: string } {
  const p = spec.pattern;
  if (p.useAndLogic) return { problem: "the '+' (day-of-month AND day-of-week) extension has no equivalent" };
  if (p.lastWeekday || p.nearestWeekdays.some(Boolean)) return { problem: "W (nearest weekday) has no equivalent here" };
  if (p.dayOfWeek.some((b) => b !== 0 && b !== ANY_NTH)) return { problem: "an nth or last weekday of the month (5#2, 5L) has no equivalent here" };
  return {
    fields: {
      minutes: set(p.minute),
      hours: set(p.hour),
      days: set(p.day, 1),
      months: set(p.month, 1),
      weekdays: set(p.dayOfWeek),
      lastDay: p.lastDayOfMonth,
      starDom: p.starDOM,
      starDow: p.starDOW,
    },
  };
}

/** Runs of consecutive values as `a<sep>b`, single values alone; `*` when every value of 0..size is set. */
function compact(values: readonly number[], size: number, sep: string, name: (n: number) => string = String): string {
  if (values.length === size) return "*";
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${name(values[i]!)}${sep}${name(values[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(name(values[k]!));
    i = j + 1;
  }
  return parts.join(",");
}

function domText(f: Fields, sep: string): string {
  if (f.starDom) return "*";
  const days = f.days.length ? compact(f.days, 31, sep) : "";
  return [days, f.lastDay ? "L" : ""].filter(Boolean).join(",");
}

// ---------------------------------------------------------------- EventBridge Scheduler

/**
 * AWS cron: six fields (minutes hours day-of-month month day-of-week year), with `?` in one of the
 * two day fields, weekdays 1-7 from Sunday (written here as SUN-SAT), L for the last day.
 */
export function awsCron(spec: CronSpec): { expression?: string; problem?: string } {
  const { fields: f, problem } = fieldsOf(spec);
  if (!f) return { problem: `AWS cron cannot express it: ${problem}` };
  if (!f.starDom && !f.starDow) {
    return { problem: "AWS cron cannot restrict both the day of the month and the day of the week (standard cron runs on either; AWS needs ? in one of them): make it two schedules" };
  }
  if (f.lastDay && f.days.length > 0) return { problem: "AWS cron cannot combine L with other days of the month" };
  const dom = f.starDom ? (f.starDow ? "*" : "?") : domText(f, "-");
  const dow = f.starDow ? "?" : compact(f.weekdays, 7, "-", (n) => WEEKDAYS[n]!);
  return { expression: `cron(${compact(f.minutes, 60, "-")} ${compact(f.hours, 24, "-")} ${dom} ${compact(f.months, 12, "-")} ${dow} *)` };
}

function cfnName(name: string): string {
  return `Chaos${name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Schedule`;
}

function eventbridge(schedules: readonly Schedule[]): ExportFile[] {
  const resources: Record<string, unknown> = {};
  for (const s of schedules) {
    resources[cfnName(s.name)] = {
      Type: "AWS::Scheduler::Schedule",
      Properties: {
        Name: `chaos-${s.name}`,
        Description: s.description ?? `chaos ${scheduleArgs(s).join(" ")}`,
        ScheduleExpression: awsCron(s.cron).expression,
        ScheduleExpressionTimezone: s.cron.timezone,
        FlexibleTimeWindow: { Mode: "OFF" },
        State: "ENABLED",
        Target: {
          Arn: { Ref: "RunnerArn" },
          RoleArn: { Ref: "SchedulerRoleArn" },
          // The runner (an ECS task, a CodeBuild project, a Lambda) receives the chaos command line.
          Input: JSON.stringify({ command: ["chaos", ...scheduleArgs(s)] }),
        },
      },
    };
  }
  const doc = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "gameday schedules (chaos schedule export --format eventbridge)",
    Parameters: {
      RunnerArn: { Type: "String", Description: "What runs the chaos command line given as the target's Input (an ECS task definition, CodeBuild project or Lambda function ARN)" },
      SchedulerRoleArn: { Type: "String", Description: "The IAM role EventBridge Scheduler assumes to invoke the runner" },
    },
    Resources: resources,
  };
  // YAML 1.1 quoting: CloudFormation would read a bare OFF as false.
  return [{ name: "chaos-schedules.cfn.yaml", text: stringify(doc, { lineWidth: 0, version: "1.1" }) }];
}

// ---------------------------------------------------------------- GitHub Actions

/** The zone's UTC offset in minutes at `at`. */
function offsetMinutes(zone: string, at: number): number {
  const text = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date(at)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function formatOffset(min: number): string {
  const a = Math.abs(min);
  return `${min < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/**
 * GitHub Actions runs schedules in UTC only. A zone with one offset all year and whole hours is
 * converted by shifting the hours, as long as no run moves to another day while the days are
 * restricted; a zone with daylight saving time is refused (a UTC cron would be an hour off for
 * half of the year).
 */
export function githubCron(spec: CronSpec, now: number): { expression?: string; note?: string; problem?: string } {
  const { fields: f, problem } = fieldsOf(spec);
  if (!f) return { problem: `GitHub Actions cron cannot express it: ${problem}` };
  if (f.lastDay) return { problem: "GitHub Actions cron has no L (last day of the month)" };
  const year = new Date(now).getUTCFullYear();
  const winter = offsetMinutes(spec.timezone, Date.UTC(year, 0, 15));
  const summer = offsetMinutes(spec.timezone, Date.UTC(year, 6, 15));
  if (winter !== summer) {
    return {
      problem: `GitHub Actions schedules run in UTC only, and ${spec.timezone} changes its UTC offset during the year (${formatOffset(winter)} in January, ${formatOffset(summer)} in July): a UTC cron would run an hour off for part of the year. Use timezone: UTC (or a zone without daylight saving time), or export to eventbridge or systemd, which keep the time zone`,
    };
  }
  if (winter % 60 !== 0) return { problem: `GitHub Actions schedules run in UTC only, and ${spec.timezone} is ${formatOffset(winter)} from UTC, not a whole number of hours: the minutes cannot be shifted` };
  const shift = winter / 60;
  const hours = f.hours.map((h) => h - shift);
  const wraps = hours.some((h) => h < 0 || h > 23);
  if (wraps && !(f.starDom && f.starDow && f.months.length === 12)) {
    return { problem: `GitHub Actions schedules run in UTC only: in UTC (${formatOffset(winter)} from ${spec.timezone}) some runs fall on another day, which the restricted days cannot follow; use timezone: UTC with the hours you mean` };
  }
  const utcHours = [...new Set(hours.map((h) => ((h % 24) + 24) % 24))].sort((a, b) => a - b);
  const dom = domText(f, "-");
  const dow = f.starDow ? "*" : compact(f.weekdays, 7, "-");
  const expression = `${compact(f.minutes, 60, "-")} ${compact(utcHours, 24, "-")} ${dom} ${compact(f.months, 12, "-")} ${dow}`;
  return { expression, ...(shift !== 0 ? { note: `converted from ${spec.timezone} (${formatOffset(winter)} all year) to UTC` } : {}) };
}

function github(schedules: readonly Schedule[], now: number): ExportFile[] {
  const crons = schedules.map((s) => ({ s, ...githubCron(s.cron, now) }));
  const lines = [
    "# gameday schedules (chaos schedule export --format github). GitHub Actions runs schedules in UTC.",
    "name: chaos schedules",
    "on:",
    "  schedule:",
    ...[...new Set(crons.map((c) => c.expression!))].map((e) => `    - cron: ${JSON.stringify(e)}`),
    "  workflow_dispatch: {}",
    "jobs:",
  ];
  for (const c of crons) {
    const job = c.s.name.replace(/[^\w-]/g, "-");
    lines.push(
      `  ${job}:`,
      `    # ${c.s.where}: ${c.s.cron.expression} (${c.s.cron.timezone})${c.note ? `; ${c.note}` : ""}`,
      `    if: github.event_name == 'workflow_dispatch' || github.event.schedule == '${c.expression}'`,
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - uses: actions/setup-node@v4",
      "        with: { node-version: 20 }",
      "      - run: npm ci",
      `      - run: npx chaos ${scheduleArgs(c.s).map(shellWord).join(" ")}`,
    );
  }
  return [{ name: "chaos-schedules.yml", text: `${lines.join("\n")}\n` }];
}

// ---------------------------------------------------------------- systemd

const SYSTEMD_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/**
 * OnCalendar= lines: `Weekdays Year-Month-Day Hour:Minute:00 Zone`. Cron runs on the day of the
 * month OR the day of the week when both are restricted; systemd ANDs them, so that becomes two
 * lines (a timer fires on any of its OnCalendar= lines).
 */
export function systemdCalendars(spec: CronSpec): { lines?: string[]; problem?: string } {
  const { fields: f, problem } = fieldsOf(spec);
  if (!f) return { problem: `a systemd calendar cannot express it: ${problem}` };
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${compact(f.hours, 24, "..", two)}:${compact(f.minutes, 60, "..", two)}:00`;
  const month = compact(f.months, 12, "..");
  const zone = spec.timezone;
  const withDays = (days: string) => `*-${month}-${days} ${time} ${zone}`;
  const weekdays = compact(f.weekdays, 7, "..", (n) => SYSTEMD_WEEKDAYS[n]!);
  const dayLines = (): string[] => [...(f.days.length ? [withDays(compact(f.days, 31, ".."))] : []), ...(f.lastDay ? [`*-${month}~01 ${time} ${zone}`] : [])];
  if (f.starDom && f.starDow) return { lines: [withDays("*")] };
  if (f.starDom) return { lines: [`${weekdays} ${withDays("*")}`] };
  if (f.starDow) return { lines: dayLines() };
  return { lines: [...dayLines(), `${weekdays} ${withDays("*")}`] };
}

function systemd(schedules: readonly Schedule[]): ExportFile[] {
  return schedules.flatMap((s) => {
    const unit = `chaos-${s.name}`;
    const calendars = systemdCalendars(s.cron).lines!;
    return [
      {
        name: `${unit}.timer`,
        text: [
          "[Unit]",
          `Description=gameday schedule ${s.name}: ${s.cron.expression} (${s.cron.timezone})`,
          "",
          "[Timer]",
          ...calendars.map((c) => `OnCalendar=${c}`),
          // A run missed while the machine was off runs once at boot, as run-due does.
          "Persistent=true",
          "",
          "[Install]",
          "WantedBy=timers.target",
          "",
        ].join("\n"),
      },
      {
        name: `${unit}.service`,
        text: [
          "[Unit]",
          `Description=gameday: chaos ${scheduleArgs(s).join(" ")}`,
          "",
          "[Service]",
          "Type=oneshot",
          "# The directory with gameday.yaml and experiments/; chaos must be on PATH (npm install -g, or an absolute path).",
          "WorkingDirectory=%h/gameday",
          `ExecStart=/usr/bin/env chaos ${scheduleArgs(s).map(shellWord).join(" ")}`,
          "",
        ].join("\n"),
      },
    ];
  });
}

/** Every file of the export, or ExportRefused listing each schedule the format cannot express and why. */
export function exportSchedules(schedules: readonly Schedule[], format: ExportFormat, now: number): ExportFile[] {
  const reasons: ExportRefused["reasons"] = [];
  for (const s of schedules) {
    const problem = format === "eventbridge" ? awsCron(s.cron).problem : format === "github" ? githubCron(s.cron, now).problem : systemdCalendars(s.cron).problem;
    if (problem !== undefined) reasons.push({ schedule: s.name, where: s.where, reason: problem });
  }
  if (reasons.length > 0) throw new ExportRefused(reasons);
  if (format === "eventbridge") return eventbridge(schedules);
  if (format === "github") return github(schedules, now);
  return systemd(schedules);
}
