/**
 * EventBridge's read-only rule API (awsJson1_1, X-Amz-Target `AWSEvents.<Operation>`) over the
 * stack's rules on the default event bus: ListRules, ListTargetsByRule and TestEventPattern, so an
 * operator (and `chaos lint`) can see which rule routes spot interruption warnings where. Each rule
 * has one target, the Lambda function its handler runs as.
 */
import type { JsonService } from "../../protocol/dispatcher.js";
import { AwsServiceError } from "../../protocol/types.js";
import type { Kernel } from "../../kernel.js";
import type { RuleSpec } from "../../stack/events.js";
import { lambdaFunctionName } from "./invoker.js";
import { matches, validatePattern } from "./pattern.js";

export const EVENTS_TARGET_PREFIX = "AWSEvents";

const DEFAULT_BUS = "default";

function busOf(input: Record<string, unknown>): string {
  const bus = input.EventBusName ?? DEFAULT_BUS;
  const name = typeof bus === "string" ? bus.slice(bus.lastIndexOf("/") + 1) : "";
  // The sandbox's rules all live on the default bus; another bus does not exist there.
  if (name !== DEFAULT_BUS) throw new AwsServiceError("ResourceNotFoundException", `Event bus ${String(bus)} does not exist.`);
  return name;
}

function limitOf(input: Record<string, unknown>): number {
  const limit = input.Limit ?? 100;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 100) throw new AwsServiceError("ValidationException", `Limit must be between 1 and 100, found ${JSON.stringify(limit)}.`);
  return limit;
}

function startOf(input: Record<string, unknown>, call: string): number {
  if (input.NextToken === undefined) return 0;
  const m = /^(\w+):(\d+)$/.exec(Buffer.from(String(input.NextToken), "base64url").toString("utf8"));
  if (!m || m[1] !== call) throw new AwsServiceError("ValidationException", "The NextToken is invalid.");
  return Number(m[2]);
}

export function eventsApi(kernel: Kernel, rules: readonly RuleSpec[]): JsonService {
  const ruleArn = (name: string) => kernel.arn("events", `rule/${name}`);
  return {
    name: "events",
    targetPrefix: EVENTS_TARGET_PREFIX,
    operations: {
      ListRules: (input) => {
        const bus = busOf(input);
        const prefix = typeof input.NamePrefix === "string" ? input.NamePrefix : "";
        const matching = rules.filter((r) => r.name.startsWith(prefix));
        const start = startOf(input, "rules");
        const page = matching.slice(start, start + limitOf(input));
        const next = start + page.length < matching.length ? Buffer.from(`rules:${start + page.length}`).toString("base64url") : undefined;
        return {
          Rules: page.map((r) => ({ Name: r.name, Arn: ruleArn(r.name), EventPattern: JSON.stringify(r.pattern), State: "ENABLED", EventBusName: bus })),
          ...(next ? { NextToken: next } : {}),
        };
      },

      ListTargetsByRule: (input) => {
        busOf(input);
        const rule = rules.find((r) => r.name === input.Rule);
        if (!rule) throw new AwsServiceError("ResourceNotFoundException", `Rule ${String(input.Rule)} does not exist on EventBus ${DEFAULT_BUS}.`);
        return { Targets: [{ Id: "1", Arn: kernel.arn("lambda", `function:${lambdaFunctionName(rule.target.handler)}`) }] };
      },

      TestEventPattern: (input) => {
        let pattern: unknown;
        let event: unknown;
        try {
          pattern = JSON.parse(String(input.EventPattern ?? ""));
          event = JSON.parse(String(input.Event ?? ""));
          validatePattern(pattern, "EventPattern");
        } catch (err) {
          throw new AwsServiceError("InvalidEventPatternException", `Event pattern is not valid: ${err instanceof Error ? err.message : String(err)}`);
        }
        return { Result: matches(pattern as Record<string, unknown>, event) };
      },
    },
  };
}
