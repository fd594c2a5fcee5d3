/**
 * One factory for every AWS SDK v3 client gameday uses, built from a connection: the embedded
 * sandbox (an in-process request handler), an AWS-compatible endpoint (`chaos sandbox serve`,
 * LocalStack) or real AWS. Actions and probes receive clients from here and never know which.
 *
 * Retries: the SDK's own retry is off (maxAttempts 1) and gameday's retry loop is installed as
 * middleware instead (see retry-middleware.ts), so there is exactly one retry layer and its sleeps
 * run on the injected clock. SDK modules are imported lazily: `chaos --help` must not load them.
 */
import { createRequire } from "node:module";
import { platform, release } from "node:os";
import { versions } from "node:process";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { FisClient } from "@aws-sdk/client-fis";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { EFSClient } from "@aws-sdk/client-efs";
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { InProcessHandler, trimForInProcess, type LocalDispatch } from "./in-process-handler.js";
import { clockRetryPlugin } from "./retry-middleware.js";
import { RetryBudget } from "../retry/budget.js";
import { STANDARD_POLICY } from "../retry/retry.js";
import type { BackoffPolicy } from "../retry/backoff.js";

export type Connection =
  /** The embedded sandbox, called in-process. */
  | { kind: "local"; region: string; dispatch: LocalDispatch }
  /** An AWS-compatible endpoint on a URL, e.g. http://127.0.0.1:4566. */
  | { kind: "endpoint"; region: string; endpoint: string }
  /** Real AWS with the default credential chain (or a named profile). */
  | { kind: "aws"; region: string; profile?: string };

export interface ClientRuntime {
  clock: Clock;
  random: Random;
  retryPolicy?: BackoffPolicy;
  /** Per-request timeout for real sockets and for simulated hangs. */
  requestTimeoutMs?: number;
}

/** Credentials for targets that do not check them (the sandbox, local emulators). */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDGAMEDAYSANDBOX", secretAccessKey: "gameday-sandbox-secret" };

/**
 * Every setting the SDK v3 clients would otherwise resolve lazily, on a client's first call, from
 * the environment and the shared config files (~/.aws/config, ~/.aws/credentials; the
 * `loadConfig(...)` calls in each client's runtimeConfig). For the sandbox and local endpoints the
 * files mean nothing, and reading them is real I/O: under a virtual clock, time would jump ahead
 * while the first call waits on the disk. With these (plus an explicit region, static credentials
 * and a request handler) no client gameday builds for such a target reads a file.
 * Checked against client-ecs 3.1164, client-kinesis 3.1143 and client-fis 3.523 (which also needs
 * its own user agent provider, see fis()) by test/aws/no-shared-config.test.ts; after a client
 * upgrade, that test says if a new setting appears. Values are the SDK's own defaults, so behaviour
 * is unchanged; real AWS targets keep the SDK's resolution (profiles!) on the real clock.
 */
export function selfContainedConfig() {
  return {
    // Retries are gameday's (retry-middleware.ts); the SDK's strategy makes one attempt.
    maxAttempts: 1,
    retryMode: "standard",
    // Without it, the SDK would resolve AWS_DEFAULTS_MODE / defaults_mode ("auto" asks IMDS).
    defaultsMode: "legacy" as const,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    authSchemePreference: [] as string[],
    accountIdEndpointMode: "preferred" as const,
    disableClockSkewCorrection: false,
    // Providers that return the SDK's default (none): a plain `undefined` would make it load them.
    userAgentAppId: async (): Promise<string | undefined> => undefined,
    sigv4aSigningRegionSet: async (): Promise<string[] | undefined> => undefined,
  };
}

/** The SDK's user agent sections (util-user-agent-node), without the app id from the config file. */
function fileFreeUserAgent(serviceId: string, clientVersion: string): () => Promise<[string, string?][]> {
  const sections: [string, string?][] = [
    ["aws-sdk-js", clientVersion],
    ["ua", "2.0"],
    [`os/${platform()}`, release()],
    ["lang/js"],
    ["md/nodejs", versions.node],
    [`api/${serviceId}`, clientVersion],
  ];
  return async () => sections;
}

function fisVersion(): string {
  return (createRequire(import.meta.url)("@aws-sdk/client-fis/package.json") as { version: string }).version;
}

type ServiceName = "cloudwatch" | "ecs" | "fis" | "kinesis" | "ec2" | "iam" | "sts" | "elbv2" | "events" | "autoscaling" | "sns" | "lambda" | "efs";

export class AwsClients {
  private readonly cache = new Map<ServiceName, Promise<unknown>>();
  private readonly budget = new RetryBudget();

  constructor(
    readonly connection: Connection,
    private readonly runtime: ClientRuntime,
  ) {}

  get region(): string {
    return this.connection.region;
  }

  ecs(): Promise<ECSClient> {
    return this.client("ecs", async (config) => new (await import("./sdk/ecs.js")).ECSClient(config));
  }

  fis(): Promise<FisClient> {
    return this.client("fis", async (config) => {
      const { FisClient } = await import("./sdk/fis.js");
      if (this.connection.kind === "aws") return new FisClient(config);
      // client-fis 3.523's default user agent provider starts reading the shared config files
      // (for an app id) as soon as the client is constructed, with no setting to stop it; this
      // one gives the same sections without a file.
      return new FisClient({ ...config, defaultUserAgentProvider: fileFreeUserAgent("fis", fisVersion()) });
    });
  }

  cloudwatch(): Promise<CloudWatchClient> {
    return this.client("cloudwatch", async (config) => {
      const { CloudWatchClient } = await import("./sdk/cloudwatch.js");
      if (this.connection.kind === "aws") return new CloudWatchClient(config);
      // Both compression settings given, so the client reads no shared config file for them (the
      // SDK's defaults otherwise). In-process the body is handed over, not sent: no gzip there.
      return new CloudWatchClient({ ...config, disableRequestCompression: this.connection.kind === "local", requestMinCompressionSizeBytes: 10_240 });
    });
  }

  kinesis(): Promise<KinesisClient> {
    return this.client("kinesis", async (config) => new (await import("./sdk/kinesis.js")).KinesisClient(config));
  }

  /** EC2 (ec2Query): read-only resolution of instances (guardrails, plan). */
  ec2(): Promise<EC2Client> {
    return this.client("ec2", async (config) => new (await import("./sdk/ec2.js")).EC2Client(config));
  }

  /** IAM (awsQuery): SimulatePrincipalPolicy for the plan's permission check. */
  iam(): Promise<IAMClient> {
    return this.client("iam", async (config) => new (await import("./sdk/iam.js")).IAMClient(config));
  }

  /** Auto Scaling (awsQuery): groups, lifecycle hooks and scale-in. */
  autoScaling(): Promise<AutoScalingClient> {
    return this.client("autoscaling", async (config) => new (await import("./sdk/autoscaling.js")).AutoScalingClient(config));
  }

  /** SNS (awsQuery): Publish, for the lifecycle drain handler's re-publish. */
  sns(): Promise<SNSClient> {
    return this.client("sns", async (config) => new (await import("./sdk/sns.js")).SNSClient(config));
  }

  /** Lambda (restJson1): function configuration reads, and Invoke for the faults that have no FIS action. */
  lambda(): Promise<LambdaClient> {
    return this.client("lambda", async (config) => new (await import("./sdk/lambda.js")).LambdaClient(config));
  }

  /** EFS (restJson1): file systems and mount targets read before a fault, and UpdateFileSystem for throughput starvation. */
  efs(): Promise<EFSClient> {
    return this.client("efs", async (config) => new (await import("./sdk/efs.js")).EFSClient(config));
  }

  /** STS (awsQuery): GetCallerIdentity, the account the credentials belong to. */
  sts(): Promise<STSClient> {
    return this.client("sts", async (config) => new (await import("./sdk/sts.js")).STSClient(config));
  }

  /** Elastic Load Balancing v2 (awsQuery): target groups and their attributes, for chaos lint. */
  elbv2(): Promise<ElasticLoadBalancingV2Client> {
    return this.client("elbv2", async (config) => new (await import("./sdk/elbv2.js")).ElasticLoadBalancingV2Client(config));
  }

  /** EventBridge (awsJson1_1): rules and their targets, for chaos lint. */
  events(): Promise<EventBridgeClient> {
    return this.client("events", async (config) => new (await import("./sdk/eventbridge.js")).EventBridgeClient(config));
  }

  /** The config every client shares; exposed so that a log shipper can build its own client alike. */
  async baseConfig(): Promise<Record<string, unknown>> {
    const c = this.connection;
    const timeout = this.runtime.requestTimeoutMs ?? 5_000;
    // Real AWS keeps the SDK's resolution (profiles, the shared files); its clock is the real one.
    const config: Record<string, unknown> = c.kind === "aws" ? { region: c.region, maxAttempts: 1 } : { ...selfContainedConfig(), region: c.region };
    if (c.kind === "local") {
      config.credentials = LOCAL_CREDENTIALS;
      config.endpoint = `https://sandbox.gameday.local`;
      config.requestHandler = new InProcessHandler(c.dispatch, this.runtime.clock, timeout);
    } else {
      const { NodeHttpHandler } = await import("@smithy/node-http-handler");
      // HTTP/1.1 for every client: Kinesis defaults to HTTP/2, which plain-http endpoints refuse.
      config.requestHandler = new NodeHttpHandler({ requestTimeout: timeout, connectionTimeout: Math.min(timeout, 3_000) });
      if (c.kind === "endpoint") {
        config.endpoint = c.endpoint;
        config.credentials = LOCAL_CREDENTIALS;
      } else if (c.profile) {
        config.profile = c.profile;
      }
    }
    return config;
  }

  /** Closes sockets of every client created so far. */
  async destroy(): Promise<void> {
    for (const p of this.cache.values()) {
      const client = (await p.catch(() => undefined)) as { destroy?: () => void } | undefined;
      client?.destroy?.();
    }
    this.cache.clear();
  }

  private client<T>(name: ServiceName, make: (config: Record<string, unknown>) => Promise<T>): Promise<T> {
    let p = this.cache.get(name) as Promise<T> | undefined;
    if (!p) {
      p = (async () => {
        // Loading an SDK module is real I/O: virtual time must stand still meanwhile.
        const release = this.runtime.clock.hold();
        let client: T;
        try {
          client = await make(await this.baseConfig());
        } finally {
          release();
        }
        if (this.connection.kind === "local") trimForInProcess(client as never);
        (client as { middlewareStack: { use(p: unknown): void } }).middlewareStack.use(
          clockRetryPlugin({
            policy: this.runtime.retryPolicy ?? STANDARD_POLICY,
            clock: this.runtime.clock,
            random: this.runtime.random.fork(`retry:${name}`),
            budget: this.budget,
          }),
        );
        return client;
      })();
      this.cache.set(name, p);
    }
    return p;
  }
}
