/**
 * Task definition revisions: RegisterTaskDefinition makes family:N+1; a reference is an ARN,
 * `family:revision`, or a bare family meaning its latest ACTIVE revision (ECS API reference,
 * DescribeTaskDefinition/UpdateService `taskDefinition`).
 */
import type { Kernel } from "../../kernel.js";
import type { TaskDefinitionSpec } from "../../stack/ecs.js";
import { lastSegment, type TaskDefinition } from "./model.js";

export class TaskDefinitions {
  private readonly families = new Map<string, TaskDefinition[]>();

  constructor(private readonly kernel: Kernel, specs: readonly TaskDefinitionSpec[]) {
    for (const spec of specs) {
      this.register({ ...spec, revisions: [] });
      for (const rev of spec.revisions) {
        const defined = Object.fromEntries(Object.entries(rev).filter(([, v]) => v !== undefined));
        this.register({ ...spec, ...defined, revisions: [] } as TaskDefinitionSpec);
      }
    }
  }

  register(spec: TaskDefinitionSpec): TaskDefinition {
    const list = this.families.get(spec.family) ?? [];
    const revision = list.length + 1;
    const td: TaskDefinition = { arn: this.kernel.arn("ecs", `task-definition/${spec.family}:${revision}`), revision, spec };
    list.push(td);
    this.families.set(spec.family, list);
    return td;
  }

  /** The revision a reference names, or undefined when there is none. */
  resolve(ref: string): TaskDefinition | undefined {
    const [family, rev] = lastSegment(ref).split(":");
    const list = this.families.get(family ?? "");
    if (!list) return undefined;
    if (rev === undefined) return list[list.length - 1];
    if (!/^\d+$/.test(rev)) return undefined;
    return list[Number(rev) - 1];
  }

  /** Revision 1 of a family: what the stack's services start on. */
  first(family: string): TaskDefinition | undefined {
    return this.families.get(family)?.[0];
  }

  latest(family: string): TaskDefinition | undefined {
    const list = this.families.get(family);
    return list?.[list.length - 1];
  }
}
