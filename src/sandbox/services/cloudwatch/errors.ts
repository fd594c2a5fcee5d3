/**
 * CloudWatch's errors as its query protocol names them (the codes boto3 and the AWS CLI show, and
 * the `x-amzn-query-error` header carries), and the error shapes of the JSON protocol they map to.
 */
import { AwsServiceError } from "../../protocol/types.js";

const SHAPES: Record<string, string> = {
  InvalidParameterValue: "InvalidParameterValueException",
  MissingParameter: "MissingRequiredParameterException",
  InvalidParameterCombination: "InvalidParameterCombinationException",
  LimitExceeded: "LimitExceededFault",
  ResourceNotFound: "ResourceNotFound",
  InvalidNextToken: "InvalidNextToken",
  InvalidFormat: "InvalidFormatFault",
  InternalServiceError: "InternalServiceFault",
};

/** The JSON error shape for a query error code; codes the model does not know pass through. */
export function errorShape(code: string): string {
  if (code === "InternalFailure") return SHAPES.InternalServiceError!;
  return SHAPES[code] ?? code;
}

export const invalidValue = (message: string): AwsServiceError => new AwsServiceError("InvalidParameterValue", message);
export const missing = (parameter: string): AwsServiceError => new AwsServiceError("MissingParameter", `The parameter ${parameter} is required.`);
export const invalidCombination = (message: string): AwsServiceError => new AwsServiceError("InvalidParameterCombination", message);
export const limitExceeded = (message: string): AwsServiceError => new AwsServiceError("LimitExceeded", message);
export const notFound = (message: string): AwsServiceError => new AwsServiceError("ResourceNotFound", message, 404);
export const invalidFormat = (message: string): AwsServiceError => new AwsServiceError("InvalidFormat", message);
export const invalidNextToken = (): AwsServiceError => new AwsServiceError("InvalidNextToken", "The service couldn't process your request because the NextToken is invalid.");
