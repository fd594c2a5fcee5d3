/**
 * `chaos sandbox serve`: the sandbox's AWS APIs over HTTP on 127.0.0.1, in scaled real time, so that
 * another process (a drain Lambda, a log shipper, the AWS CLI) can use it through AWS_ENDPOINT_URL.
 */
import { resolve } from "node:path";
import { ScaledClock } from "../time/clock.js";
import { SeededRandom } from "../random/random.js";
import { defaultStackFile } from "./paths.js";
import { usage } from "./errors.js";
import { parseSeed, parseSpeed } from "./run-command.js";

export async function serveCommand(flags: { stack?: string; port: string; speed: string; seed?: string }): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port: expected a port number, found ${JSON.stringify(flags.port)}`);
  const speed = parseSpeed(flags.speed) ?? 1;
  const seed = parseSeed(flags.seed);
  const { serve } = await import("../sandbox/sandbox.js");
  const { loadStack } = await import("../sandbox/stack/load.js");
  const { composeSandbox } = await import("./sandbox-compose.js");
  const stackFile = flags.stack ? resolve(process.cwd(), flags.stack) : defaultStackFile();
  const clock = new ScaledClock(speed);
  let stack;
  try {
    stack = loadStack(stackFile);
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const composed = await composeSandbox({ stack, clock, random: new SeededRandom(seed) });
  const { sandbox } = composed;
  sandbox.start();
  await sandbox.ready();
  const server = await serve(sandbox, { port });
  process.stdout.write(`sandbox (${stackFile}) serving on ${server.url}  seed ${seed}  speed ${speed}x\n`);
  process.stdout.write(`use it with: AWS_ENDPOINT_URL=${server.url} AWS_REGION=${sandbox.kernel.region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x\n`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  await composed.close();
  return 0;
}
