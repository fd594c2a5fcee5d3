/**
 * Step names and references, checked across the whole experiment: names are unique, generated
 * ones ("fault:spot-interrupt", then "fault:spot-interrupt#2") never collide with authored ones,
 * and every `{ref: name}` points at an earlier step of the hypothesis or the method.
 *
 * This runs on the substituted document before (and regardless of) schema validation, so that
 * a duplicate name is reported together with the type errors of the same file.
 */
import { describeValue, listOf, quote, suggestion } from "./describe.js";
import { formatPath, type DocPath } from "./model.js";

export type Section = "hypothesis" | "method" | "rollbacks" | "stop-conditions";

export interface Slot {
  section: Section;
  at: DocPath;
  raw: Record<string, unknown>;
}

export interface NameReport {
  (path: DocPath, expected: string, found: string): void;
}

export interface Naming {
  /** Final name of every step, by formatted path. */
  names: Map<string, string>;
  /** For each ref, the path of the step it copies, by formatted path of the ref. */
  refs: Map<string, DocPath>;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SECTIONS: readonly [Section, DocPath][] = [
  ["hypothesis", ["steady-state-hypothesis", "probes"]],
  ["method", ["method"]],
  ["rollbacks", ["rollbacks"]],
  ["stop-conditions", ["stop-conditions"]],
];

/** Every step-shaped entry of the document, in document order. */
export function slotsOf(document: unknown): Slot[] {
  const slots: Slot[] = [];
  for (const [section, path] of SECTIONS) {
    let list: unknown = document;
    for (const part of path) list = isMap(list) ? list[part] : undefined;
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      if (isMap(raw)) slots.push({ section, at: [...path, i], raw });
    });
  }
  return slots;
}

const isRef = (s: Slot) => "ref" in s.raw;
const isCheckSection = (s: Section) => s === "hypothesis" || s === "stop-conditions";

/** "fault:spot-interrupt" for steps that need no authored name; undefined when there is no basis. */
function generatedBase(raw: Record<string, unknown>): string | undefined {
  const scalar = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
  for (const kind of ["fault", "pause", "probe", "fis-template"] as const) {
    if (kind in raw) {
      const what = kind === "fis-template" ? scalar(isMap(raw[kind]) ? raw[kind].path : undefined) : scalar(raw[kind]);
      return what === undefined ? undefined : `${kind}:${what}`;
    }
  }
  return undefined;
}

/** Whether a step yields a value a tolerance can judge (so it may stand in a hypothesis). */
function isCheck(raw: Record<string, unknown>): boolean {
  return "probe" in raw || (!("fault" in raw) && !("pause" in raw) && !("fis-template" in raw) && raw.type === "probe");
}

export function nameSteps(slots: readonly Slot[], report: NameReport): Naming {
  const names = new Map<string, string>();
  const refs = new Map<string, DocPath>();
  const taken = new Map<string, DocPath>();
  const claim = (name: string, at: DocPath) => {
    taken.set(name, at);
    names.set(formatPath(at), name);
  };
  const free = (base: string) => {
    if (!taken.has(base)) return base;
    let n = 2;
    while (taken.has(`${base}#${n}`)) n++;
    return `${base}#${n}`;
  };

  for (const slot of slots) {
    if (isRef(slot) || !("name" in slot.raw)) continue;
    const name = slot.raw.name;
    if (typeof name !== "string" || name === "") continue;
    const first = taken.get(name);
    if (first) {
      report([...slot.at, "name"], "a name that no other step has", `${describeValue(name)}, already the name of ${formatPath(first)}`);
      continue;
    }
    claim(name, slot.at);
  }
  for (const slot of slots) {
    if (isRef(slot) || names.has(formatPath(slot.at))) continue;
    const base = generatedBase(slot.raw);
    if (base !== undefined) claim(free(base), slot.at);
  }

  slots.forEach((slot, index) => {
    if (isCheckSection(slot.section) && "mode" in slot.raw && "probe" in slot.raw) {
      report(
        [...slot.at, "mode"],
        "no `mode:` here: hypothesis probes run as runtime.hypothesis says and stop conditions every runtime.interval; modes are for probes in `method`",
        describeValue(slot.raw.mode),
      );
    }
    if (!isRef(slot)) return;
    const target = slot.raw.ref;
    if (typeof target !== "string" || target === "") return; // the schema reports the type
    const definitions = slots.filter((s) => !isRef(s) && (s.section === "hypothesis" || s.section === "method"));
    const found = definitions.find((s) => names.get(formatPath(s.at)) === target);
    const earlier = definitions.filter((s) => slots.indexOf(s) < index).map((s) => names.get(formatPath(s.at)) ?? "");
    if (!found) {
      const known = earlier.filter((n) => n !== "");
      const hint = known.length ? ` (one of ${listOf(known)})${suggestion(target, known)}` : "; there is none before it";
      report([...slot.at, "ref"], `the name of an earlier step of the steady-state hypothesis or the method${hint}`, quote(target));
      return;
    }
    if (slots.indexOf(found) > index) {
      report([...slot.at, "ref"], "the name of an earlier step: a ref runs a copy of a step that comes before it", `${quote(target)}, defined later at ${formatPath(found.at)}`);
      return;
    }
    if (isCheckSection(slot.section) && !isCheck(found.raw)) {
      report([...slot.at, "ref"], "the name of a probe: the steady-state hypothesis and stop conditions only run probes", `${quote(target)}, which is not a probe`);
      return;
    }
    // Rollbacks run activities and pauses only (see ROLLBACK_FORMS in schema.ts); a copy of a fault or probe would fail then.
    const refused = slot.section === "rollbacks" ? (["fault", "probe", "fis-template"] as const).find((kind) => kind in found.raw) : undefined;
    if (refused) {
      report([...slot.at, "ref"], "the name of an action or a pause: rollbacks run Chaos Toolkit activities and pauses only", `${quote(target)}, a \`${refused}:\` step`);
      return;
    }
    refs.set(formatPath(slot.at), found.at);
    claim(free(target), slot.at);
  });
  return { names, refs };
}
