/**
 * SNS topics with Lambda-style subscribers: Publish delivers, after EventBridge's modelled
 * delivery latency, the event Lambda receives from SNS (`Records[0].Sns`, as in
 * fixtures/events/asg-terminate-lifecycle.sns-lambda.json) to every subscriber.
 */
import type { Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import type { DeliverySpec } from "../../stack/events.js";
import { stableUuid } from "../autoscaling/ids.js";
import { AwsServiceError } from "../../protocol/types.js";

/** What a subscriber gets: the SNS-to-Lambda event, and the message id for the invocation record. */
export type SnsDelivery = (event: Record<string, unknown>, meta: { id: string; subject: string }) => void;

interface Topic {
  name: string;
  arn: string;
  subscribers: { id: string; deliver: SnsDelivery }[];
}

export class SnsTopics {
  private readonly topics = new Map<string, Topic>();
  private readonly random;
  private published = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly timers: Timers,
    private readonly delivery: DeliverySpec,
  ) {
    this.random = kernel.random.fork("sns");
  }

  add(name: string): string {
    const arn = this.kernel.arn("sns", name);
    this.topics.set(arn, { name, arn, subscribers: [] });
    return arn;
  }

  arnOf(name: string): string {
    return this.kernel.arn("sns", name);
  }

  subscribe(topicName: string, deliver: SnsDelivery): void {
    const topic = this.topics.get(this.arnOf(topicName));
    if (!topic) throw new Error(`no SNS topic ${topicName}`);
    topic.subscribers.push({ id: stableUuid(`${topic.arn}:subscription:${topic.subscribers.length}`), deliver });
  }

  list(): string[] {
    return [...this.topics.keys()];
  }

  publish(topicArn: string, message: string, subject = ""): string {
    const topic = this.topics.get(topicArn);
    if (!topic) throw new AwsServiceError("NotFound", "Topic does not exist", 404);
    const messageId = stableUuid(`sns:message:${this.published++}`);
    const timestamp = this.kernel.iso();
    this.kernel.record("sns", "publish", `${topic.name}: message ${messageId}${subject ? ` (${subject})` : ""}`, { topic: topic.name, messageId });
    for (const sub of topic.subscribers) {
      const { min, max } = this.delivery.latency;
      const delay = min + this.random.next() * Math.max(0, max - min);
      const event = {
        Records: [
          {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: `${topic.arn}:${sub.id}`,
            Sns: {
              Type: "Notification",
              MessageId: messageId,
              TopicArn: topic.arn,
              Subject: subject,
              Message: message,
              Timestamp: timestamp,
              SignatureVersion: "1",
              Signature: "EXAMPLE",
              SigningCertUrl: "EXAMPLE",
              UnsubscribeUrl: "EXAMPLE",
              MessageAttributes: {},
            },
          },
        ],
      };
      this.timers.after(delay, () => sub.deliver(event, { id: messageId, subject }));
    }
    return messageId;
  }
}
