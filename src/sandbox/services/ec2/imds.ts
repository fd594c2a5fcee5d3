/**
 * The instance metadata service as an instance sees it: identity documents, and the spot
 * documents that read 404 until EC2 issues a notice.
 */
import type { Ec2 } from "./instances.js";

export interface ImdsAnswer {
  status: number;
  body: string;
}

/** Thrown when nothing answers: an unknown instance, or one that is no longer running. */
export class ImdsUnreachable extends Error {
  override readonly name = "ImdsUnreachable";
}

const NOT_FOUND_BODY = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
`;

const notFound: ImdsAnswer = { status: 404, body: NOT_FOUND_BODY };

/** IMDS times have whole seconds, like "2017-09-18T08:22:00Z". */
function imdsTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Answers `path` ("/latest/meta-data/spot/instance-action" or "spot/instance-action") for
 * `instanceId`. Throws ImdsUnreachable when the instance is unknown or has stopped running.
 */
export function answerImds(ec2: Ec2, instanceId: string, path: string): ImdsAnswer {
  const instance = ec2.get(instanceId);
  if (!instance) throw new ImdsUnreachable(`no instance ${instanceId}: nothing answers its IMDS`);
  if (instance.state !== "running" && instance.state !== "pending") {
    throw new ImdsUnreachable(`${instanceId} is ${instance.state}: its IMDS no longer answers`);
  }
  const key = path.replace(/^\/?(latest\/)?(meta-data\/?)?/, "").replace(/\/$/, "");
  switch (key) {
    case "instance-id":
      return { status: 200, body: instance.id };
    case "instance-type":
      return { status: 200, body: instance.type };
    case "instance-life-cycle":
      return { status: 200, body: instance.lifecycle };
    case "local-ipv4":
      return { status: 200, body: instance.privateIp };
    case "placement/availability-zone":
      return { status: 200, body: instance.az };
    case "placement/region":
      return { status: 200, body: instance.az.slice(0, -1) };
    case "spot/instance-action":
      if (!instance.interruption) return notFound;
      return { status: 200, body: JSON.stringify({ action: instance.interruption.action, time: imdsTime(instance.interruption.at) }) };
    case "spot/termination-time":
      if (!instance.interruption || instance.interruption.action !== "terminate") return notFound;
      return { status: 200, body: imdsTime(instance.interruption.at) };
    case "events/recommendations/rebalance":
      if (instance.rebalanceNoticeAt === undefined) return notFound;
      return { status: 200, body: JSON.stringify({ noticeTime: imdsTime(instance.rebalanceNoticeAt) }) };
    default:
      return notFound;
  }
}
