/**
 * Chaos Toolkit's `http` provider: one HTTP request, output `{status, headers, body}` with a JSON
 * body parsed. As in Chaos Toolkit, 4xx and 5xx are not failures (the tolerance decides); only a
 * request that cannot connect or times out fails the activity, after `max_retries` further tries.
 *
 * Written on node:http(s) rather than fetch because `verify_tls: false` and separate connect/read
 * timeouts need the socket options fetch does not expose on Node 20 without undici's own package.
 * Timeouts are real time (the request is real), and the virtual clock is held meanwhile.
 */
import http from "node:http";
import https from "node:https";
import type { HttpProvider } from "../../experiment/model.js";
import { whileHolding, type Clock } from "../../time/clock.js";
import { ActivityFailure } from "./failure.js";

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const DEFAULT_TIMEOUT = { connect: 10_000, read: 30_000 };

export async function runHttp(provider: HttpProvider, clock: Clock, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<HttpOutput> {
  return whileHolding(clock, async () => {
    let lastError: unknown;
    for (let attempt = 0; attempt <= provider.maxRetries; attempt++) {
      try {
        return await requestOnce(provider, options);
      } catch (err) {
        lastError = err;
        if (options.signal?.aborted) break;
      }
    }
    throw lastError;
  });
}

function buildRequest(provider: HttpProvider): { url: URL; body?: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(provider.url);
  } catch {
    throw new ActivityFailure(`invalid URL ${provider.url}`);
  }
  const headers = { ...provider.headers };
  const method = provider.method.toUpperCase();
  const args = provider.arguments;
  if (args === undefined || args === null) return { url, headers };
  if (method === "GET" || method === "HEAD" || method === "DELETE") {
    if (typeof args === "object") {
      for (const [k, v] of Object.entries(args as Record<string, unknown>)) url.searchParams.append(k, String(v));
    }
    return { url, headers };
  }
  const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  if (typeof args === "string") return { url, headers, body: args };
  if (contentType.includes("json")) return { url, headers, body: JSON.stringify(args) };
  // Chaos Toolkit (requests) form-encodes a dict body unless the content type says JSON.
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) form.append(k, String(v));
  if (!contentType) headers["content-type"] = "application/x-www-form-urlencoded";
  return { url, headers, body: form.toString() };
}

function requestOnce(provider: HttpProvider, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<HttpOutput> {
  const { url, body, headers } = buildRequest(provider);
  const timeout = provider.timeout ?? DEFAULT_TIMEOUT;
  const total = Math.min(timeout.connect + timeout.read, options.timeoutMs ?? Number.POSITIVE_INFINITY);
  const signals = [AbortSignal.timeout(total), ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method: provider.method.toUpperCase(), headers, signal, ...(url.protocol === "https:" ? { rejectUnauthorized: provider.verifyTls } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => reject(new ActivityFailure(`${provider.method} ${provider.url}: ${err.message}`)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const responseHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(", ") : v;
          let parsed: unknown = text;
          if ((responseHeaders["content-type"] ?? "").includes("json")) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed });
        });
      },
    );
    // Read timeout: the socket went quiet for longer than `read`.
    req.setTimeout(timeout.read, () => req.destroy(new Error(`no response within ${timeout.read} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) reject(new ActivityFailure("the run was interrupted during the request"));
      else if (err.name === "AbortError" || err.name === "TimeoutError") reject(new ActivityFailure(`${provider.method} ${provider.url} timed out after ${total} ms`));
      else reject(new ActivityFailure(`${provider.method} ${provider.url}: ${err.code ?? err.message}`));
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
