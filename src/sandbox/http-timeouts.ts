/**
 * How long a served sandbox's HTTP/1 ports (the AWS API port, serve.ts, and each ALB listener,
 * alb-listener.ts) wait for a client's request, so that a client that connects and sends nothing,
 * or half a request, cannot hold a socket for ever.
 *
 * Real time, not the sandbox's clock, and on purpose. These guard the process's sockets; they model
 * nothing: how long a peer takes to get its bytes across is a matter of the real machine, whatever
 * the sandbox's --speed. On the sandbox's clock, --speed 50 would cut a client off after a fifth of
 * a second of a stall on a busy CI runner, and virtual time would never cut anyone off. What the
 * simulated ALB does (its idle timeout, a 504) stays on the sandbox's clock (alb-listener.ts).
 *
 * Neither timeout counts the wait for the answer once a request has arrived whole: a Lambda
 * Invoke answered when the function is done, a call the sandbox black-holes (a `timeout` fault: no
 * answer until the client gives up), an ALB request held until the simulation answers it. Node
 * stops a request's clock when its last byte is read. HTTP/2 (the Kinesis client's SubscribeToShard
 * event streams, held open for minutes) is not governed by these at all, once its preface is in.
 */
export interface HttpTimeouts {
  /** From a connection (or, on a kept-alive one, a request's first byte) to the end of the request's headers. */
  headersMs: number;
  /** From a request's first byte to its last: headers and body. */
  requestMs: number;
  /** An idle kept-alive connection between requests. */
  keepAliveMs: number;
  /** How often Node looks for requests past their time: a request is cut off up to this late. */
  checkEveryMs: number;
}

/**
 * Over loopback a request's headers arrive in one piece and a body of a few megabytes in
 * milliseconds. The bounds are far above that, and above any stall of the sandbox's own event loop
 * (bytes that arrived during a stall are read only after Node's check has run): a legitimate
 * request is never cut off, a stuck one goes within about 11 seconds. Keep-alive is Node's 5
 * seconds, which it announces (Keep-Alive: timeout=5) and Node's agents (the SDK's, the load
 * generator's) honour by closing their side first; the AWS CLI checks a pooled connection before
 * reusing it.
 */
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkEveryMs: 1_000 };

/** The options of node:http createServer that set them. */
export function httpServerTimeouts(t: HttpTimeouts): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return { headersTimeout: t.headersMs, requestTimeout: t.requestMs, keepAliveTimeout: t.keepAliveMs, connectionsCheckingInterval: t.checkEveryMs };
}
