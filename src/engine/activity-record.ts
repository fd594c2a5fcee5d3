/** How a step appears in the journal's `activity` field. */
import type { Step } from "../experiment/model.js";

/** The activity as Chaos Toolkit journals show it: name, type and provider (or gameday's step). */
export function activityRecord(step: Step): Record<string, unknown> {
  switch (step.kind) {
    case "activity":
      return { type: step.type, name: step.name, provider: step.provider, ...(step.tolerance ? { tolerance: step.tolerance } : {}) };
    case "probe":
      return { type: "probe", name: step.name, probe: step.probe, with: step.with, ...(step.mode ? { mode: step.mode } : {}) };
    case "fault":
      return { type: "action", name: step.name, fault: step.fault, target: step.target, with: step.with };
    case "pause":
      return { type: "pause", name: step.name, duration: step.duration / 1000 };
  }
}
