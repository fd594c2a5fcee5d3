/**
 * The four typed errors the FIS API answers with, at the HTTP status codes of its model
 * (ValidationException 400, ResourceNotFoundException 404, ConflictException 409,
 * ServiceQuotaExceededException 402). The SDK turns each into its exception class of that name.
 */
import { AwsServiceError } from "../../protocol/types.js";

export function validationError(message: string): AwsServiceError {
  return new AwsServiceError("ValidationException", message, 400);
}

export function notFound(message: string): AwsServiceError {
  return new AwsServiceError("ResourceNotFoundException", message, 404);
}

export function conflict(message: string): AwsServiceError {
  return new AwsServiceError("ConflictException", message, 409);
}

export function quotaExceeded(message: string): AwsServiceError {
  return new AwsServiceError("ServiceQuotaExceededException", message, 402);
}

/**
 * The wording AWS's request validation uses for model constraints (required members, lengths,
 * map sizes, enums), e.g. "1 validation error detected: Value null at 'roleArn' failed to satisfy
 * constraint: Member must not be null".
 */
export function constraintError(value: unknown, path: string, constraint: string): AwsServiceError {
  const shown = value === undefined || value === null ? "null" : typeof value === "string" ? `'${value}'` : `'${JSON.stringify(value)}'`;
  return validationError(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
}
