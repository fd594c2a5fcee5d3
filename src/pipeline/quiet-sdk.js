// @ts-check
/**
 * Imported first by the pino transport (transport.mjs), before anything loads the AWS SDK: the SDK
 * warns once per process, on the first client it builds, that releases after January 2027 need
 * Node 22, and pino's worker thread has an environment of its own, so the variable the CLI sets on
 * the main thread does not reach it. The gameday pins work on Node 20 (see the README's "Node
 * versions"). A value the user set, either way, is left alone.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
