/**
 * The forms a target takes as text (`--target`, a schedule's `target:`): the embedded sandbox, AWS,
 * or an AWS-compatible endpoint by URL. One definition for every place that reads one.
 */
export const TARGET_FORMS = "sandbox, aws, or an endpoint URL http(s)://host:port such as http://127.0.0.1:4566";

/** The endpoint URL `target` names, or undefined when it is not an http(s) URL with a host. */
export function endpointOf(target: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" ? url : undefined;
}

/** Whether `target` is one of TARGET_FORMS. */
export function isTargetForm(target: string): boolean {
  return target === "sandbox" || target === "aws" || endpointOf(target) !== undefined;
}
