/**
 * Starts the PutRecords endpoint (fixtures/kinesis-http-server.mjs) as a child process on
 * 127.0.0.1 and talks to it: what it received, and how it should answer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface KinesisHttp {
  url: string;
  received(): Promise<{ stream: string; data: string; key: string }[]>;
  setMode(mode: "ok" | "hang" | { status: number; type: string }): Promise<void>;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL("../fixtures/kinesis-http-server.mjs", import.meta.url));

export async function startKinesisHttp(): Promise<KinesisHttp> {
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`kinesis-http-server exited with ${code} before listening`)));
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async received() {
      return (await (await fetch(`${url}/_received`)).json()) as { stream: string; data: string; key: string }[];
    },
    async setMode(mode) {
      await fetch(`${url}/_mode`, { method: "POST", body: JSON.stringify({ mode }) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
