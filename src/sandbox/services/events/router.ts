/**
 * EventBridge on the default bus: every event the sandbox emits is matched against the stack's
 * rules, and each match is delivered to the rule's target after a short delay (a uniform draw
 * within the configured latency), sometimes twice when duplicates are turned on: EventBridge
 * delivers at least once.
 */
import type { AwsEvent, Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { DeliverySpec } from "../../stack/events.js";
import { matches, validatePattern } from "./pattern.js";

export interface Rule {
  name: string;
  pattern: Record<string, unknown>;
  deliver(event: AwsEvent): void;
}

export class EventRouter {
  private readonly rules: Rule[] = [];
  private readonly random;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly delivery: DeliverySpec,
  ) {
    this.random = kernel.random.fork("events");
  }

  addRule(rule: Rule): void {
    validatePattern(rule.pattern, `rule ${rule.name}: pattern`);
    this.rules.push(rule);
  }

  start(): void {
    this.unsubscribe = this.kernel.bus.subscribe((event) => this.route(event));
  }

  stop(): void {
    this.unsubscribe();
  }

  private route(event: AwsEvent): void {
    for (const rule of this.rules) {
      if (!matches(rule.pattern, event)) continue;
      const copies = this.random.next() < this.delivery.duplicates ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const { min, max } = this.delivery.latency;
        const delay = min + this.random.next() * Math.max(0, max - min);
        this.timers.after(delay, () => {
          this.kernel.record("events", "delivery", `${rule.name}: delivering ${event["detail-type"]} ${event.id}${i > 0 ? " (duplicate)" : ""}`, { rule: rule.name, eventId: event.id });
          rule.deliver(event);
        });
      }
    }
  }
}
