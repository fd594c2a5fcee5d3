/** Set-ups the `chaos schedule` e2e tests share: a quick experiment, and state checked long ago. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const NODE = JSON.stringify(process.execPath);

/** An experiment in ./experiments that runs one process action and holds. */
export function quickExperiment(dir: string, name: string): void {
  mkdirSync(join(dir, "experiments"), { recursive: true });
  writeFileSync(join(dir, "experiments", `${name}.yaml`), `title: ${name}\ndescription: quick\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${NODE}, arguments: ["-e", "1"] }\n`);
}

/** The state run-due keeps, as if the schedules had last been checked long ago. */
export function checkedLongAgo(dir: string, names: string[]): void {
  mkdirSync(join(dir, ".gameday", "schedules"), { recursive: true });
  const schedules = Object.fromEntries(names.map((n) => [n, { lastCheck: "2020-01-01T00:00:00.000Z" }]));
  writeFileSync(join(dir, ".gameday", "schedules", "state.json"), JSON.stringify({ version: 1, schedules }));
}
