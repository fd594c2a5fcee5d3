import { stackYaml } from "../faults/rig.js";

/** The spool the seed's shippers use: 64 MiB on disk, no fsync. */
export const DISK_SPOOL = "{ maxBytes: 64MiB, fsync: never }";

/** The small stack plus the seed's log pipeline: `webTasks` web tasks ship to app-logs as the web-task role, with `spool` (or "false" for none). */
export function shippingStack(spool = DISK_SPOOL, webTasks = 3): string {
  return `${stackYaml({ services: `  - { name: web, cluster: prod, taskDefinition: web, desiredCount: ${webTasks}, targetGroup: web }` })}
kinesis:
  streams:
    - { name: app-logs, shards: 2 }
  roles:
    - { name: web-task, accessKeyIds: [AKIAWEBTASKSANDBOX01] }
logging:
  - service: web
    stream: app-logs
    role: web-task
    linesPerSecond: 20
    lineBytes: 256
    shipper:
      spool: ${spool}
`;
}
