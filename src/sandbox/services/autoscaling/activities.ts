/**
 * Scaling activities, as DescribeScalingActivities lists them: what an operator reads to learn
 * when and why the group launched or terminated an instance (newest first).
 */
import type { Kernel } from "../../kernel.js";
import { stableUuid } from "./ids.js";

/** AWS's ScalingActivityStatusCode values the sandbox uses; MidLifecycleAction while a hook holds the instance. */
export type ActivityStatus = "InProgress" | "MidLifecycleAction" | "Successful" | "Failed" | "Cancelled";

export interface ScalingActivity {
  readonly activityId: string;
  readonly groupName: string;
  readonly description: string;
  readonly cause: string;
  readonly startTime: number;
  endTime?: number;
  status: ActivityStatus;
  statusMessage?: string;
  progress: number;
  readonly details: Record<string, string>;
}

export class ScalingActivities {
  private readonly list: ScalingActivity[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly groupName: string,
  ) {}

  begin(description: string, cause: string, details: Record<string, string>): ScalingActivity {
    const activity: ScalingActivity = {
      activityId: stableUuid(`${this.groupName}:activity:${this.list.length}`),
      groupName: this.groupName,
      description,
      cause,
      startTime: this.kernel.now(),
      status: "InProgress",
      progress: 0,
      details,
    };
    this.list.push(activity);
    return activity;
  }

  /** A status on the way (MidLifecycleAction while hooks wait, InProgress after). */
  status(activity: ScalingActivity, status: ActivityStatus, progress: number): void {
    if (activity.endTime !== undefined) return;
    activity.status = status;
    activity.progress = progress;
  }

  end(activity: ScalingActivity, status: ActivityStatus, statusMessage?: string): void {
    if (activity.endTime !== undefined) return;
    activity.status = status;
    activity.endTime = this.kernel.now();
    activity.progress = 100;
    if (statusMessage !== undefined) activity.statusMessage = statusMessage;
  }

  /** Newest first, as AWS lists them. */
  all(): ScalingActivity[] {
    return [...this.list].reverse();
  }
}
