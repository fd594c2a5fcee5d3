/** Reading an ECS API request's members, with the errors ECS answers for bad ones. */
import { AwsServiceError } from "../../protocol/types.js";

export type Input = Record<string, unknown>;

export function invalid(message: string): AwsServiceError {
  return new AwsServiceError("InvalidParameterException", message);
}

export function optString(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`${key}: expected a string, found ${typeof v}.`);
  return v;
}

export function reqString(input: Input, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === "") throw invalid(`${key} can not be blank.`);
  return v;
}
