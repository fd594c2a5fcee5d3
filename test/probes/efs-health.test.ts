/**
 * efs-health against an in-process sandbox running WordPress on Lambda with EFS
 * (fixtures/stacks/wordpress.yaml): everything it reports comes from AWS/EFS in CloudWatch.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import efsHealth from "../../probes/efs-health.js";
import { rig, type Rig } from "../faults/rig.js";
import { expectDeclared } from "./declared.js";
import { httpApiEvent } from "../../src/sandbox/services/lambda/wordpress-http.js";

// Without the stack's viewer load: these tests count every invocation themselves.
const WORDPRESS = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/wordpress.yaml"), "utf8").replace(/^load:\n  wordpress: .*$/m, "");
const FS_ID = "fs-0123456789abcdef0";
const MINUTE = 60_000;

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

type Value = Record<string, number | null>;

async function requests(rig: Rig, n: number): Promise<void> {
  const lambda = await rig.h.clients.lambda();
  for (let i = 0; i < n; i++) await lambda.send(new InvokeCommand({ FunctionName: "wordpress", Payload: Buffer.from(JSON.stringify(httpApiEvent("GET", "/", rig.h.clock.now()))) }));
}

describe("efs-health reads AWS/EFS", () => {
  it("sees WordPress's operations, its one connection and full burst credits", async () => {
    r = await rig(WORDPRESS);
    const read = r.reader(efsHealth, { fileSystemId: FS_ID });
    await read();
    await requests(r, 5);
    await r.h.advance(2 * MINUTE);
    const v = (await read()).value as Value;
    expectDeclared(efsHealth, v);
    // The WordPress model: the cold request opens and reads its 340 PHP files and lstats 368 paths
    // (realpath cache) and the page (file_exists); 4 warm ones stat the page only; the mount's 3 round trips.
    expect(v.operations).toBe(340 + 340 + 368 + 4 + 3);
    expect(v.clientConnections).toBe(1);
    expect(v.burstCreditBalance).toBeGreaterThan(2 * 1024 ** 4);
    expect(v.permittedThroughput).toBe(100 * 1024 * 1024);
    expect(v.meteredIOBytes).toBeLessThan(v.totalIOBytes!);
  });

  it("a file system out of credits: the probe sees the balance refill at the baseline, 1 MiB/s for 2 GiB stored", async () => {
    r = await rig(WORDPRESS.replace("sizeGiB: 2", "sizeGiB: 2\n      burstCreditsGiB: 0"));
    const read = r.reader(efsHealth, { fileSystemId: FS_ID });
    await read();
    await r.h.advance(2.5 * MINUTE);
    const v = (await read()).value as Value;
    expectDeclared(efsHealth, v);
    // Gauges read at each minute's end: 60 s and 120 s of refill at 1 MiB/s.
    expect(v.minBurstCreditBalance).toBe(60 * 1024 * 1024);
    expect(v.burstCreditBalance).toBe(120 * 1024 * 1024);
    expect(v.operations).toBe(0);
    // A one-shot reading (a steady-state check) sees the newest whole minute, not an empty window.
    const once = (await r.reader(efsHealth, { fileSystemId: FS_ID })()).value as Value;
    expect(once.burstCreditBalance).toBe(120 * 1024 * 1024);
  });
});
