import { defineConfig } from "vitest/config";
import { injectedFailureLog } from "./src/testing/injector.js";

/** What every test file shares. Not the global setup: the root runs it once for both groups. */
const common = {
  // The e2e tests spawn the compiled CLI; 2 cores on CI, so keep parallelism modest.
  pool: "forks" as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // The SDK's default credential chain ends at the EC2 metadata service (169.254.169.254): tests, and
  // the CLIs they spawn, send traffic only to 127.0.0.1.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", AWS_EC2_METADATA_DISABLED: "true" },
};

/**
 * Files whose sandboxes are served in scaled real time with stacks that need most of a core to keep
 * pace (WordPress pages of a few hundred NFS operations each). They run last, by themselves: beside
 * the rest of the suite (a second worker's CLI runs take the other core and more) such a sandbox fell
 * behind the wall and its served cases failed in CI about every other run.
 */
const ALONE = ["test/e2e/wordpress.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    maxWorkers: 2,
    // gameday/testing's injected resets and timeouts, which msw prints as unhandled exceptions (docs/testing.md).
    // A root option: vitest does not take it per project.
    onConsoleLog: (log: string) => !injectedFailureLog(log),
    projects: [
      { test: { ...common, name: "suite", include: ["test/**/*.test.ts"], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { test: { ...common, name: "served-alone", include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
