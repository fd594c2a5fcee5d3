/**
 * A served sandbox's ALB listener as a real HTTP port on 127.0.0.1: each HTTP request becomes an
 * arrival at that service's load balancer in the simulation, routed, logged and published like
 * the simulated load's, and is answered when the simulation says, on the sandbox's clock (so at
 * `--speed 20` a 200 ms service time comes back in 10 ms), with the simulation's status: 200, 502
 * (target refused or died), 503 (no target to route to) or 504 (idle timeout); a connection the
 * load balancer rejects (at its maxConnections) is closed with no answer, as a client sees it.
 *
 * The web apps are simulated lazily (a request's end is noticed when something next looks), so
 * the listener arms a timer for the instant its request ends, or, while it waits in a proxy's
 * queue, for when the thread ahead of it frees up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Clock } from "../time/clock.js";
import { listen } from "./serve.js";
import { HTTP_TIMEOUTS, httpServerTimeouts, type HttpTimeouts } from "./http-timeouts.js";
import type { RequestWatcher, WebApp } from "./workload/web-app.js";

/** What the listener needs of the sandbox's traffic: Traffic has it. */
export interface AlbFront {
  /** The request arrives now; returns the app that took it, or undefined when the ALB answered at once. */
  arrive(service: string, watcher: RequestWatcher): WebApp | undefined;
  group(service: string): { spec: { idleTimeout: number } } | undefined;
}

export interface AlbListener {
  service: string;
  url: string;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 200: "OK", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/**
 * `timeouts` (default HTTP_TIMEOUTS) bound how long a client may take to send a request, in real
 * time; the simulated ALB's idle timeout, the wait for the target's answer, runs on `clock`.
 */
export async function listenAlb(front: AlbFront, clock: Clock, service: string, port: number, timeouts: HttpTimeouts = HTTP_TIMEOUTS): Promise<AlbListener> {
  const group = front.group(service);
  if (!group) throw new Error(`alb listener: expected a load-balanced service, found "${service}"`);
  const idleTimeout = group.spec.idleTimeout;
  const sockets = new Set<Socket>();
  const cancels = new Set<() => void>();

  const server = createServer(httpServerTimeouts(timeouts), (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    let done = false;
    let endsAt: number | undefined;
    let app: WebApp | undefined;
    let cancelWake = (): void => {};
    const cancelAll = (): void => {
      cancelWake();
      cancelIdle();
      cancels.delete(cancelAll);
    };
    const answer = (status: number, latencyMs: number): void => {
      if (done) return;
      done = true;
      cancelAll();
      if (res.destroyed || res.writableEnded) return;
      const body = `${status} ${REASONS[status] ?? ""}\n`;
      res.writeHead(status, { "content-type": "text/plain", "x-gameday-latency-ms": latencyMs.toFixed(3) }).end(body);
    };
    // Looks at the app when its request should have ended (or a thread ahead frees up).
    const wakeAt = (at: number): void => {
      cancelWake();
      if (!Number.isFinite(at)) return;
      cancelWake = clock.setTimer(Math.max(0, at - clock.now()), () => {
        app?.advance(clock.now());
        if (!done && endsAt === undefined && app) wakeAt(app.nextCompletion());
      });
    };
    // The ALB gives up on a target after its idle timeout, whatever the target does later.
    const cancelIdle = clock.setTimer(idleTimeout, () => answer(504, idleTimeout));
    cancels.add(cancelAll);
    app = front.arrive(service, {
      started(at) {
        endsAt = at;
        if (app) wakeAt(at);
      },
      answered: answer,
      rejected() {
        done = true;
        cancelAll();
        req.socket.destroy();
      },
    });
    if (!done && app) wakeAt(endsAt ?? app.nextCompletion());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await listen(server, port, "127.0.0.1");
  const bound = (server.address() as AddressInfo).port;
  return {
    service,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancel of [...cancels]) cancel();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
