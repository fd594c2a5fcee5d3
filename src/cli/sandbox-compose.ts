/**
 * Composes the embedded sandbox with what runs inside it but is not the sandbox's: the log shipper
 * each logging task runs (gameday's pipeline). Shared by `chaos run` and `chaos sandbox serve`.
 */
import type { LocalDispatch } from "../aws/in-process-handler.js";
import type { Random } from "../random/random.js";
import type { Clock } from "../time/clock.js";
import { Sandbox } from "../sandbox/sandbox.js";
import type { LoadedStack } from "../sandbox/stack/load.js";
import { SandboxLogShipping } from "./sandbox-logs.js";

export interface ComposedSandbox {
  sandbox: Sandbox;
  /** The logging tasks' shippers, when the stack has a logging section. */
  logs: SandboxLogShipping | undefined;
  close(): Promise<void>;
}

export async function composeSandbox(o: { stack: LoadedStack; clock: Clock; random: Random; handlers?: string[]; lifecycleHandlers?: string[] }): Promise<ComposedSandbox> {
  // The shippers call the sandbox that is being built: bind its dispatcher once it exists.
  let dispatch: LocalDispatch = () => ({ failure: "refused" });
  const logs = o.stack.logging.length > 0 ? await SandboxLogShipping.create((req) => dispatch(req), o.clock, o.random.fork("logs")) : undefined;
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.create({
      stack: o.stack,
      clock: o.clock,
      random: o.random.fork("sandbox"),
      ...(o.handlers ? { handlers: o.handlers } : {}),
      ...(o.lifecycleHandlers ? { lifecycleHandlers: o.lifecycleHandlers } : {}),
      ...(logs ? { logProducers: logs } : {}),
    });
  } catch (err) {
    logs?.close();
    throw err;
  }
  dispatch = sandbox.dispatcher.dispatch;
  if (logs) logs.onEvent = (source, kind, message) => sandbox.kernel.record(source, kind, message);
  return {
    sandbox,
    logs,
    async close() {
      await sandbox.stop();
      logs?.close();
    },
  };
}
