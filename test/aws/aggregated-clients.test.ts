/**
 * The SDK's aggregated client classes (`new EC2().describeInstances()`) are built on first use
 * instead of as each client package loads (src/aws/sdk/aggregated-clients.ts): loading a client
 * costs less, and a user's own code that does use them gets the SDK's class, methods and all.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deferIn, deferred } from "../../src/aws/sdk/aggregated-clients.js";

class BareClient {
  config: { region: string };
  constructor(region: string) {
    this.config = { region };
  }
  send(command: { name: string }): string {
    return `${this.config.region}:${command.name}`;
  }
}

/** What @smithy/core's createAggregatedClient does: one method per command on the class's prototype. */
function counting() {
  const calls: string[][] = [];
  const build = (commands: Record<string, unknown>, Client: Function) => {
    calls.push(Object.keys(commands));
    for (const name of Object.keys(commands)) {
      const method = name[0]!.toLowerCase() + name.slice(1).replace(/Command$/, "");
      (Client.prototype as Record<string, unknown>)[method] = function (this: BareClient) {
        return this.send({ name });
      };
    }
  };
  return { calls, build };
}

describe("deferred aggregated clients", () => {
  it("builds the methods on first use of the class, once, and they behave as the SDK's", () => {
    const { calls, build } = counting();
    class Aggregated extends BareClient {}
    deferred(build)({ ListTasksCommand: {}, DescribeServicesCommand: {} }, Aggregated);
    expect(calls).toEqual([]);
    const a = new Aggregated("eu-west-1") as Aggregated & Record<string, () => string>;
    expect(a.listTasks!()).toBe("eu-west-1:ListTasksCommand");
    expect(calls).toHaveLength(1);
    expect(new Aggregated("us-east-1") instanceof BareClient).toBe(true);
    expect("describeServices" in a).toBe(true);
    expect(Object.getPrototypeOf(Aggregated.prototype)).toBe(BareClient.prototype);
    expect(calls).toHaveLength(1);
  });

  it("builds on a read through the prototype too (Aggregated.prototype.listTasks)", () => {
    const { calls, build } = counting();
    class Aggregated extends BareClient {}
    deferred(build)({ ListTasksCommand: {} }, Aggregated);
    expect(typeof (Aggregated.prototype as unknown as Record<string, unknown>).listTasks).toBe("function");
    expect(calls).toHaveLength(1);
  });

  it("leaves the bare client alone: using it builds nothing", () => {
    const { calls, build } = counting();
    class Aggregated extends BareClient {}
    deferred(build)({ ListTasksCommand: {} }, Aggregated);
    expect(new BareClient("eu-west-1").send({ name: "X" })).toBe("eu-west-1:X");
    expect(calls).toEqual([]);
  });

  it("replaces the export once", () => {
    const { build } = counting();
    const exports: Record<string, unknown> = { createAggregatedClient: build };
    deferIn(exports);
    const once = exports.createAggregatedClient;
    expect(once).not.toBe(build);
    deferIn(exports);
    expect(exports.createAggregatedClient).toBe(once);
  });

  it("with the real SDK: a client package loads without its aggregated methods, and they work when used", () => {
    const module = fileURLToPath(new URL("../../src/aws/sdk/aggregated-clients.ts", import.meta.url));
    // A fresh process: this one may have loaded the SDK already.
    const script = `
      const { install } = await import(${JSON.stringify(module)});
      install();
      const { createRequire } = await import("node:module");
      const sdk = createRequire(${JSON.stringify(module)})("@aws-sdk/client-ecs");
      const before = Object.getOwnPropertyNames(sdk.ECS.prototype).includes("listTasks");
      const ecs = new sdk.ECS({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
      console.log(JSON.stringify({ before, after: typeof ecs.listTasks, paginator: typeof ecs.paginateListTasks, bare: ecs instanceof sdk.ECSClient }));
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
    expect(JSON.parse(out.trim())).toEqual({ before: false, after: "function", paginator: "function", bare: true });
  });
});
