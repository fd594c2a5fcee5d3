/** The SNS API (awsQuery) over the sandbox's topics: Publish and ListTopics. */
import type { QueryService } from "../../protocol/query.js";
import { AwsServiceError } from "../../protocol/types.js";
import type { SnsTopics } from "./topics.js";

export const SNS_API_VERSION = "2010-03-31";

export function snsApi(topics: SnsTopics): QueryService {
  return {
    name: "sns",
    version: SNS_API_VERSION,
    style: "awsQuery",
    xmlns: `http://sns.amazonaws.com/doc/${SNS_API_VERSION}/`,
    operations: {
      Publish: (input) => {
        if (typeof input.TopicArn !== "string") throw new AwsServiceError("InvalidParameter", "Invalid parameter: TopicArn (the sandbox answers topics only, not TargetArn or PhoneNumber)");
        if (typeof input.Message !== "string" || input.Message === "") throw new AwsServiceError("InvalidParameter", "Invalid parameter: Empty message");
        return { MessageId: topics.publish(input.TopicArn, input.Message, typeof input.Subject === "string" ? input.Subject : "") };
      },
      ListTopics: () => ({ Topics: topics.list().map((TopicArn) => ({ TopicArn })) }),
    },
  };
}
