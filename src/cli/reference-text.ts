/** A fault's or probe's parameter reference as text, for `chaos describe` and `chaos list --verbose`. */
import { fisLine, type ParamDoc, type ReturnDoc, type StepReference } from "./step-reference.js";

/** Lines of at most WIDTH columns; long descriptions would otherwise wrap past the indent. */
const WIDTH = 100;

function wrapped(text: string, indent: string): string[] {
  const room = Math.max(40, WIDTH - indent.length);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

function paramLines(params: ParamDoc[], fault: boolean, indent: string): string[] {
  if (params.length === 0) return [`${indent}(none)`];
  const width = Math.max(...params.map((p) => p.name.length));
  const pad = " ".repeat(width + 2);
  const lines: string[] = [];
  for (const p of params) {
    const presence = p.default !== undefined ? `default ${JSON.stringify(p.default)}` : p.required ? "required" : "optional";
    lines.push(`${indent}${p.name.padEnd(width)}  ${p.type}; ${presence}`);
    if (p.description) lines.push(...wrapped(p.description, `${indent}${pad}`));
    if (fault) {
      if (p.fis.length === 0) lines.push(`${indent}${pad}FIS: not sent to FIS (gameday uses it itself)`);
      for (const m of p.fis) lines.push(`${indent}${pad}FIS: ${fisLine(m)}`);
    }
  }
  return lines;
}

function returnLines(returns: ReturnDoc[], indent: string): string[] {
  const width = Math.max(...returns.map((r) => (r.name ?? "(value)").length));
  return returns.map((r) => {
    const type = [r.unit, r.range, r.nullable ? "or null" : ""].filter((t) => t !== "").join(" ");
    return `${indent}${(r.name ?? "(value)").padEnd(width)}  ${type}${r.description ? `: ${r.description}` : ""}`;
  });
}

export function referenceText(ref: StepReference, indent = ""): string {
  const lines = [`${indent}${ref.name} (${ref.kind})`, `${indent}  ${ref.description}`];
  if (ref.fisActions && ref.fisActions.length > 0) lines.push(`${indent}  FIS actions: ${ref.fisActions.join(", ")}`);
  lines.push(`${indent}  with:`, ...paramLines(ref.params, ref.kind === "fault", `${indent}    `));
  if (ref.returns && ref.returns.length > 0) lines.push(`${indent}  returns:`, ...returnLines(ref.returns, `${indent}    `));
  if (ref.target) lines.push(`${indent}  target:`, ...paramLines(ref.target, true, `${indent}    `));
  return lines.join("\n") + "\n";
}
