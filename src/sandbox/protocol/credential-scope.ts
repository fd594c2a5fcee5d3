/**
 * The SigV4 credential scope of a request (`Credential=AKID/20240101/us-east-1/ecs/aws4_request` in
 * its Authorization header), and the refusal a regional AWS endpoint answers a request scoped to
 * another region with. AWS checks the scope before any service sees the request
 * (IAM/latest/UserGuide/signature-v4-troubleshooting.html, "Credential scope errors": "Credential
 * should be scoped to a valid Region, not region-code"); the code and status depend on the protocol:
 * - awsJson (ECS, Kinesis, EventBridge, CloudWatch's JSON): 400 `InvalidSignatureException`, as
 *   the awsJson front door answers every signature error (wire capture in aws/aws-sdk-ruby#431:
 *   `400 Bad Request`, `{"__type":"InvalidSignatureException","message":"Credential should be scoped to correct service: ..."}`);
 * - awsQuery (IAM, STS, Auto Scaling, SNS, ELB) and ec2Query (EC2): 403 `SignatureDoesNotMatch`,
 *   `<Type>Sender</Type>` (cognitect-labs/aws-api#27, STS; aws/aws-sdk-java#1097, SES, status 403;
 *   JuliaCloud/AWS.jl#565, IAM);
 * - restJson1 (FIS, Lambda, EFS): 403 with `x-amzn-errortype: InvalidSignatureException` and a
 *   `{"message": ...}` body (aws/aws-sdk-js-v3#5576; joona/aws-es-curl#15).
 * AWS's message ends "not 'eu-west-1'. " (with the space); the sandbox's goes on to say which region
 * it serves.
 *
 * IAM and the global STS endpoint are signed for us-east-1 (general/latest/gr/sigv4_elements.html:
 * "If you use a service like IAM that uses a globally unique endpoint, use the default region
 * (us-east-1)"), which is how an SDK configured for any region reaches them: they accept us-east-1
 * here besides the sandbox's own region, which a client pointed at the sandbox's URL signs with.
 */
import { AwsServiceError } from "./types.js";

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]*)\/([^/,\s]*)\/([^/,\s]*)\/([^/,\s]*)\/aws4_request/;

/** The credential scope of a SigV4 Authorization header; undefined for an unsigned request or another scheme. */
export function credentialScopeOf(headers: Readonly<Record<string, string>>): CredentialScope | undefined {
  const auth = headers["authorization"];
  if (!auth) return undefined;
  const m = CREDENTIAL.exec(auth);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]! };
}

/** Services whose global endpoint AWS signs for us-east-1, by the dispatcher's service name. */
const SIGNED_IN_US_EAST_1 = new Set(["iam", "sts"]);

export type WireProtocol = "awsJson" | "awsQuery" | "ec2Query" | "restJson1";

/** The regions a request for `service` may be scoped to on a sandbox serving `region`. */
export function acceptedRegions(service: string, region: string): string[] {
  return SIGNED_IN_US_EAST_1.has(service) && region !== "us-east-1" ? [region, "us-east-1"] : [region];
}

/**
 * The refusal of a request scoped to `scoped` by a sandbox serving `region`, in the protocol's
 * code and status, or undefined when the scope is one the service accepts.
 */
export function scopeRefusal(protocol: WireProtocol, service: string, scoped: string, region: string): AwsServiceError | undefined {
  const accepted = acceptedRegions(service, region);
  if (accepted.includes(scoped)) return undefined;
  const also = accepted.length > 1 ? ` (${service.toUpperCase()} also takes ${accepted.slice(1).join(", ")}, as its global endpoint does)` : "";
  const message =
    `Credential should be scoped to a valid region, not '${scoped}'. ` +
    `This gameday sandbox serves ${region} (its stack's region)${also}: sign for ${region} (--region ${region} or AWS_REGION=${region}), or serve a stack whose region: is ${scoped}.`;
  if (protocol === "awsJson") return new AwsServiceError("InvalidSignatureException", message, 400);
  if (protocol === "restJson1") return new AwsServiceError("InvalidSignatureException", message, 403);
  return new AwsServiceError("SignatureDoesNotMatch", message, 403);
}
