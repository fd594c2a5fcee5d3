/**
 * The part of the ECS cluster query language that ListContainerInstances' `filter` needs:
 * `ec2InstanceId == i-0123`, `attribute:ecs.availability-zone in [us-east-1a, us-east-1b]`,
 * `==`, `!=`, `in [...]`, `not in [...]`, `exists`, joined with `and`. Anything else is rejected
 * with InvalidParameterException naming what the sandbox understands.
 */
import { AwsServiceError } from "../../protocol/types.js";
import type { ContainerInstance } from "./model.js";

type Clause = { field: string; op: "==" | "!=" | "in" | "not in" | "exists"; values: string[] };

const FIELDS: Record<string, (ci: ContainerInstance) => string | undefined> = {
  ec2InstanceId: (ci) => ci.instance.id,
  "attribute:ecs.availability-zone": (ci) => ci.instance.az,
  "attribute:ecs.instance-type": (ci) => ci.instance.type,
  "attribute:ecs.os-type": () => "linux",
  "attribute:ecs.cpu-architecture": () => "x86_64",
  agentConnected: (ci) => String(ci.agentConnected),
};

export function parseFilter(expression: string): (ci: ContainerInstance) => boolean {
  const clauses = expression.split(/\s+and\s+/i).map(parseClause);
  return (ci) =>
    clauses.every((c) => {
      const value = FIELDS[c.field]!(ci);
      switch (c.op) {
        case "exists":
          return value !== undefined;
        case "==":
          return value === c.values[0];
        case "!=":
          return value !== c.values[0];
        case "in":
          return value !== undefined && c.values.includes(value);
        case "not in":
          return value === undefined || !c.values.includes(value);
      }
    });
}

function parseClause(text: string): Clause {
  const t = text.trim();
  const m = /^([\w:.-]+)\s*(==|!=|\s+not\s+in\s+|\s+in\s+|\s+exists$)\s*(.*)$/i.exec(t);
  if (!m || (m[1] && !(m[1] in FIELDS))) {
    throw new AwsServiceError(
      "InvalidParameterException",
      `The sandbox's cluster query language understands ${Object.keys(FIELDS).join(", ")} with ==, !=, in [...], not in [...] and exists, joined by "and"; found "${t}".`,
    );
  }
  const field = m[1]!;
  const op = m[2]!.trim().toLowerCase().replace(/\s+/g, " ") as Clause["op"];
  const rest = m[3]!.trim();
  if (op === "exists") return { field, op, values: [] };
  if (op === "in" || op === "not in") {
    const list = /^\[(.*)\]$/.exec(rest);
    if (!list) throw new AwsServiceError("InvalidParameterException", `Expected a list such as [a, b] after "${op}", found "${rest}".`);
    return { field, op, values: list[1]!.split(",").map((v) => unquote(v.trim())).filter(Boolean) };
  }
  if (!rest) throw new AwsServiceError("InvalidParameterException", `Expected a value after "${field} ${op}", found nothing.`);
  return { field, op, values: [unquote(rest)] };
}

function unquote(v: string): string {
  return v.replace(/^(['"])(.*)\1$/, "$2");
}
