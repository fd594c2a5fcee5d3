/**
 * Each AWS SDK client package builds, as it loads, its "aggregated" class (`EC2`, `ECS`: one method
 * per command, paginator and waiter, `new EC2().describeInstances(...)`) by adding those methods to
 * the class's prototype one by one (`createAggregatedClient` in @smithy/core/client). gameday sends
 * commands through the bare clients (`EC2Client`) and never uses those classes, yet building them
 * was about a fifth of loading a client: 15 ms of CPU for the EC2 client's 900 methods, about 40 ms
 * for the clients a `chaos run spot-interrupt` loads (bench/startup.mjs, "SDK clients" row).
 *
 * This defers the building to the first time anything touches an aggregated class's instance or
 * prototype chain, so that a user's own probe or handler that does use `new EC2()` in this process
 * gets exactly the SDK's class, methods and all. The SDK gives no setting for it; the only hook is
 * the module's export, replaced once when @smithy/core/client is first loaded (see install()).
 */
import Module from "node:module";

type Aggregate = (commands: Record<string, unknown>, client: Function, options?: unknown) => void;

/** The file of @smithy/core's client submodule, whichever copy a client package resolves. */
const CORE_CLIENT = /[\\/]@smithy[\\/]core[\\/]dist-cjs[\\/]submodules[\\/]client[\\/]index\.js$/;
const DEFERRED = Symbol.for("gameday.deferredAggregatedClient");

/**
 * The same work as `build(commands, Client, options)`, done when it is first needed: a stand-in
 * prototype sits between `Client.prototype` and its parent (the bare client's prototype) and, on
 * the first property read, write or query that reaches it, takes itself out of the chain and runs
 * the real build. Own properties and the parent's members are then found as before.
 */
export function deferred(build: Aggregate): Aggregate {
  const lazy: Aggregate = (commands, Client, options) => {
    const proto = Client.prototype as object;
    const parent = Object.getPrototypeOf(proto) as object | null;
    if (parent === null) return build(commands, Client, options);
    let built = false;
    const settle = (): object => {
      if (!built) {
        built = true;
        Object.setPrototypeOf(proto, parent);
        build(commands, Client, options);
      }
      return parent;
    };
    const standIn: object = new Proxy(parent, {
      // Reached through Client.prototype (the usual way): answered as Client.prototype, built,
      // answers it. Reached directly (someone holding the parent): answered as the parent.
      get: (_t, key, receiver) => (receiver === standIn ? Reflect.get(settle(), key, receiver) : (settle(), Reflect.get(proto, key, receiver))),
      set: (_t, key, value, receiver) => (receiver === standIn ? Reflect.set(settle(), key, value, receiver) : (settle(), Reflect.set(proto, key, value, receiver))),
      has: (_t, key) => (settle(), Reflect.has(proto, key)),
      getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(settle(), key),
      defineProperty: (_t, key, descriptor) => Reflect.defineProperty(settle(), key, descriptor),
      deleteProperty: (_t, key) => Reflect.deleteProperty(settle(), key),
      ownKeys: () => Reflect.ownKeys(settle()),
      getPrototypeOf: () => Reflect.getPrototypeOf(settle()),
    });
    Object.setPrototypeOf(proto, standIn);
  };
  (lazy as unknown as Record<symbol, boolean>)[DEFERRED] = true;
  return lazy;
}

/** Replaces the export on a loaded @smithy/core/client, once. */
export function deferIn(exports: Record<string, unknown>): void {
  const build = exports.createAggregatedClient;
  if (typeof build !== "function" || (build as unknown as Record<symbol, unknown>)[DEFERRED]) return;
  exports.createAggregatedClient = deferred(build as Aggregate);
}

let installed = false;

/**
 * From now on, every copy of @smithy/core/client this thread loads hands the client packages the
 * deferring build. Installed by the CLI once a command runs, before any SDK package can load.
 */
export function install(): void {
  if (installed) return;
  installed = true;
  type Compile = (this: { exports: Record<string, unknown> }, content: string, filename: string, ...rest: unknown[]) => unknown;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  proto._compile = function (this: { exports: Record<string, unknown> }, content: string, filename: string, ...rest: unknown[]) {
    const result = original.call(this, content, filename, ...rest);
    if (CORE_CLIENT.test(filename)) deferIn(this.exports);
    return result;
  };
}
