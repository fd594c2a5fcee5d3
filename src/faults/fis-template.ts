/**
 * A team's own FIS experiment template, run as it is: `- fis-template: { path: my-template.json }`
 * in an experiment, or `chaos run --fis-template my-template.json`. The template is validated as
 * FIS validates it before any call (src/experiment/fis-template-file.ts); its targets, actions,
 * role, stop conditions, options and logging go to FIS unchanged, with gameday's tags added, and
 * it goes through the same lifecycle as every fault (fis-runner.ts: ledger, start, stop on a
 * signal, template deleted). It has landed when its experiment completes: a raw template's actions
 * are the team's, so FIS's own verdict is the only one gameday can give.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import { fisCatalog } from "../fis/catalog.js";
import { durationMs } from "../fis/duration.js";
import type { ActionSpec } from "../fis/template-model.js";
import { loadFisTemplateFile, type LoadedFisTemplate } from "../experiment/fis-template-file.js";
import { waitForExperiment } from "./fis-runner.js";
import { fisGetActionPermission } from "./fis-offers.js";
import { defineFault } from "./types.js";
import { FIS_TEMPLATE_FAULT } from "./fis-template-name.js";


const params = z
  .object({
    path: z.string().min(1).describe("The template file (JSON or YAML), relative to the experiment file"),
    vars: z.record(z.string(), z.string()).optional().describe("Values for ${name} in the template's strings"),
  })
  .strict();

type Params = z.infer<typeof params>;
export type FisTemplateParams = Params;

// What compile learnt from the template, for expectedDurationMs, which is given the same params.
const expected = new WeakMap<object, number>();

/** The longest chain of action durations along startAfter: how long FIS should run the template. */
export function templateDurationMs(actions: Record<string, ActionSpec>): number {
  const memo = new Map<string, number>();
  const endOf = (name: string, seen: Set<string>): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const action = actions[name];
    if (!action || seen.has(name)) return 0;
    seen.add(name);
    const after = Math.max(0, ...(action.startAfter ?? []).map((b) => endOf(b, seen)));
    const p = action.parameters ?? {};
    const own = durationMs(p.duration ?? p.durationBeforeInterruption ?? "") ?? 0;
    memo.set(name, after + own);
    return after + own;
  };
  return Math.max(0, ...Object.keys(actions).map((n) => endOf(n, new Set())));
}

/**
 * The step's template file, read and validated as FIS would (throws InvalidInputError located in
 * it). `baseDir` is the experiment file's directory, against which `path` resolves.
 */
export function readTeamTemplate(p: FisTemplateParams, baseDir: string | undefined): LoadedFisTemplate {
  const file = isAbsolute(p.path) ? p.path : resolve(baseDir ?? process.cwd(), p.path);
  const near = relative(process.cwd(), file);
  return loadFisTemplateFile(file, near && !near.startsWith("..") ? near : file, fisCatalog, p.vars ?? {});
}

export default defineFault<Params, Record<string, never>>({
  name: FIS_TEMPLATE_FAULT,
  description: "Runs a team's own FIS experiment template unchanged (validated as FIS would before any call).",
  params,
  target: z.object({}).strict(),
  compile({ params: p, baseDir }) {
    const { spec } = readTeamTemplate(p, baseDir);
    expected.set(p, templateDurationMs(spec.actions));
    return {
      description: spec.description,
      targets: spec.targets,
      actions: spec.actions,
      own: {
        roleArn: spec.roleArn,
        stopConditions: spec.stopConditions,
        tags: spec.tags,
        experimentOptions: { ...spec.experimentOptions },
        ...(spec.logConfiguration ? { logConfiguration: { ...spec.logConfiguration } } : {}),
        ...(spec.experimentReportConfiguration ? { experimentReportConfiguration: spec.experimentReportConfiguration } : {}),
      },
    };
  },
  permissions: {
    // A team's template may name any FIS action: its role is the team's, and already has what it needs.
    fis: () => [],
    // Before the run, each of its actions is asked of FIS (fis-template-offers.ts).
    runner: ({ region, accountId }) => [fisGetActionPermission(region, accountId)],
  },
  async verify(ctx) {
    const id = ctx.fault.experimentId;
    if (!id) return { landed: false, detail: "FIS started no experiment" };
    const end = await waitForExperiment(ctx, id, Number.POSITIVE_INFINITY, ctx.signal);
    const why = end.reason ? `: ${end.reason}` : "";
    return { landed: end.status === "completed", detail: `FIS experiment ${id} ${end.status}${why}`, evidence: { status: end.status, ...(end.reason ? { reason: end.reason } : {}) } };
  },
  expectedDurationMs: (p) => expected.get(p) ?? 0,
});
