/**
 * What FIS's Lambda actions do to invocations (fis-actions-reference.html, aws-semantics.md
 * section 2): `aws:lambda:invocation-add-delay` holds a share of invocations for
 * startupDelayMilliseconds before the handler runs (inside the invocation: it counts toward the
 * timeout and Duration); `aws:lambda:invocation-error` makes a share of invocations fail, with or
 * without running the handler (preventExecution). On AWS the FIS extension polls its configuration
 * (15–60 s to take full effect, reference section 2); the sandbox applies it at once.
 */
export type InvocationFault =
  | { kind: "delay"; percentage: number; delayMs: number }
  | { kind: "error"; percentage: number; preventExecution: boolean };

/** What the faults in force do to one invocation, given a uniform draw per fault. */
export interface InvocationEffect {
  delayMs: number;
  error: boolean;
  preventExecution: boolean;
}

export function effectOf(faults: Iterable<InvocationFault>, draw: () => number): InvocationEffect {
  const out: InvocationEffect = { delayMs: 0, error: false, preventExecution: false };
  for (const f of faults) {
    if (draw() * 100 >= f.percentage) continue;
    if (f.kind === "delay") out.delayMs += f.delayMs;
    else {
      out.error = true;
      out.preventExecution ||= f.preventExecution;
    }
  }
  return out;
}
