/**
 * Lambda's Invoke errors the sandbox raises, with the HTTP statuses of the Lambda API reference
 * (API_Invoke.html, Errors): the SDK turns each code into its typed exception.
 */
import { AwsServiceError } from "../../protocol/types.js";

/** A throttle, with its ThrottleReason (API_Invoke.html, TooManyRequestsException: Reason). */
export const tooManyRequests = (message: string, reason: "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded") =>
  new AwsServiceError("TooManyRequestsException", message, 429, { Type: "User", Reason: reason });
export const invalidParameterValue = (message: string) => new AwsServiceError("InvalidParameterValueException", message, 400, { Type: "User" });
export const resourceNotFound = (message: string) => new AwsServiceError("ResourceNotFoundException", message, 404);
export const efsMountConnectivity = (message: string) => new AwsServiceError("EFSMountConnectivityException", message, 408);
export const efsMountTimeout = (message: string) => new AwsServiceError("EFSMountTimeoutException", message, 408);
export const efsMountFailure = (message: string) => new AwsServiceError("EFSMountFailureException", message, 403);
export const efsIo = (message: string) => new AwsServiceError("EFSIOException", message, 410);
