/**
 * The awsQuery and ec2Query protocols (IAM, STS; EC2): a form-encoded POST body
 * `Action=<Operation>&Version=<api version>&...` answered with XML. A service is one table entry,
 * picked by the API version the request names; an operation is one entry in its table.
 *
 * The two protocols differ only in details the SDKs and botocore check:
 * - awsQuery wraps the output in `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`, lists are
 *   `<member>` elements (`ActionNames.member.1=` in the request), errors are `<ErrorResponse>`.
 * - ec2Query puts the output straight in `<OpResponse>` after `<requestId>`, lists are `<item>`
 *   elements (`InstanceId.1=` in the request), errors are `<Response><Errors><Error>`.
 *
 * Hand-written rather than a library: the XML written is small and fixed in shape, and
 * fast-xml-parser is only a dev dependency of gameday.
 */
import { AwsServiceError, type SandboxRequest, type SandboxResponse } from "./types.js";

export type QueryStyle = "awsQuery" | "ec2Query";

/** Input as nested objects and arrays (`Filter.1.Value.2=x` -> { Filter: [{ Value: [, "x"] }] }). */
export type QueryOperation = (input: Record<string, unknown>, request: SandboxRequest) => Record<string, unknown>;

export interface QueryService {
  /** Short name used by interceptors and traces: "ec2", "sts", "iam". */
  name: string;
  /** The API version the SDKs send in `Version=`: EC2 "2016-11-15", IAM "2010-05-08", STS "2011-06-15". */
  version: string;
  style: QueryStyle;
  /** The XML namespace of responses. */
  xmlns: string;
  operations: Record<string, QueryOperation>;
}

export function isQueryRequest(request: SandboxRequest): boolean {
  return request.method === "POST" && /application\/x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "");
}

/** The form's fields as a flat map, in order. */
export function readForm(body: string): Map<string, string> {
  return new Map(new URLSearchParams(body));
}

/**
 * Flat dotted keys to nested values. A level whose keys are all positive integers is a list (1-based,
 * in index order); awsQuery's `member` level (and a map's `entry`) is folded into its list.
 */
export function nestForm(form: Map<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    if (key === "Action" || key === "Version") continue;
    const parts = key.split(".");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return toLists(root) as Record<string, unknown>;
}

function toLists(node: unknown): unknown {
  if (typeof node !== "object" || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length === 1 && (entries[0]![0] === "member" || entries[0]![0] === "entry") && isIndexed(entries[0]![1])) return toLists(entries[0]![1]);
  if (entries.length > 0 && entries.every(([k]) => /^[1-9]\d*$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => toLists(v));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, toLists(v)]));
}

function isIndexed(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.keys(v).every((k) => /^[1-9]\d*$/.test(k));
}

/** A nested input value as a list, as the protocol sends lists: absent is none, a lone value is a list of one. */
export function inputList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((e) => e !== undefined);
}

/** `inputList` of names, ARNs or action names, as strings. */
export function inputStrings(v: unknown): string[] {
  return inputList(v).map(String);
}

/** The service a query request is for, by its Version; undefined when none answers it. */
export function queryTarget(services: ReadonlyMap<string, QueryService>, form: Map<string, string>): { service: QueryService | undefined; action: string } {
  return { service: services.get(form.get("Version") ?? ""), action: form.get("Action") ?? "" };
}

export function querySuccess(service: QueryService, action: string, output: Record<string, unknown>, requestId: string): SandboxResponse {
  const item = service.style === "ec2Query" ? "item" : "member";
  const body =
    service.style === "ec2Query"
      ? `<requestId>${requestId}</requestId>${xmlFields(output, item)}`
      : `<${action}Result>${xmlFields(output, item)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return {
    statusCode: 200,
    headers: { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${service.xmlns}">${body}</${action}Response>`,
  };
}

/** The error document each protocol's clients read the code from. */
export function queryError(style: QueryStyle, xmlns: string, err: AwsServiceError, requestId: string): SandboxResponse {
  const headers = { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId };
  const error = `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>`;
  const body =
    style === "ec2Query"
      ? `<Response><Errors><Error>${error}</Error></Errors><RequestID>${requestId}</RequestID></Response>`
      : `<ErrorResponse xmlns="${xmlns}"><Error><Type>${err.statusCode >= 500 ? "Receiver" : "Sender"}</Type>${error}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { statusCode: err.statusCode, headers, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` };
}

/** Object fields as elements; arrays as repeated `item`/`member` children; undefined fields left out. */
function xmlFields(value: Record<string, unknown>, item: string): string {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${xmlValue(v, item)}</${k}>`)
    .join("");
}

function xmlValue(v: unknown, item: string): string {
  if (Array.isArray(v)) return v.map((e) => `<${item}>${xmlValue(e, item)}</${item}>`).join("");
  if (v !== null && typeof v === "object") return xmlFields(v as Record<string, unknown>, item);
  return escapeXml(String(v ?? ""));
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
