/** The stack's ECS section: clusters, task definitions and services. */
import { z } from "zod";
import { oneOf, strict } from "../../experiment/schema-kit.js";
import { duration } from "./duration.js";
import { name, percent, tags } from "./common.js";

export const clusterSchema = z
  .object({
    name,
    /** The agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING on the cluster's instances; false on AWS unless set. */
    spotInstanceDraining: z.boolean().default(false),
    tags,
  })
  .strict();

/** One kind of request in a mix: its share of the requests and its own lognormal service time. */
const mixPartSchema = strict({ weight: z.number().positive(), p50: duration, p99: duration }).superRefine((p, ctx) => {
  if (!(p.p50 > 0)) ctx.addIssue({ code: "custom", path: ["p50"], message: `expected a p50 above 0 ms, found ${p.p50} ms` });
  else if (p.p99 < p.p50) ctx.addIssue({ code: "custom", path: ["p99"], message: `expected a p99 no shorter than the p50 (${p.p50} ms), found ${p.p99} ms` });
});

const serviceTimeSchema = oneOf(
  [
    // strict(): the keys travel with the schema, so a misspelt one inside the union gets a did-you-mean.
    strict({ distribution: z.literal("lognormal").default("lognormal"), p50: duration, p99: duration }),
    strict({ distribution: z.literal("constant"), value: duration }),
    // A request mix (the seed's short render beside its 300 ms request): each request draws its kind by weight.
    strict({ mix: z.array(mixPartSchema).min(1) }),
  ],
  "a service time: `{ p50, p99 }` (lognormal), `{ distribution: constant, value }` or `{ mix: [{ weight, p50, p99 }, ...] }`",
  // `mix` or `distribution` says which is meant; without either, lognormal (the default).
  (input) => {
    const o = input as { distribution?: unknown; mix?: unknown } | null;
    if (o && typeof o === "object" && "mix" in o) return 2;
    return o?.distribution === "constant" ? 1 : 0;
  },
);

/** A web application container: a fixed thread pool, optionally behind a proxy with a backlog. */
export const appSchema = z
  .object({
    threads: z.number().int().positive(),
    serviceTime: serviceTimeSchema,
    /**
     * CPU time each request needs on one full vCPU (a template render), before its serviceTime of
     * waiting (I/O, sleep). The task's vCPUs (its cpu units / 1024) run that work one request per
     * vCPU at a time, so a CPU-bound app saturates its CPU long before its threads. 0 by default.
     */
    cpuTime: duration.default(0),
    /**
     * The app server's own accept backlog (Puma's): requests it queues itself while every thread is
     * busy, answering the next one with a refused connection (an ALB 502 and a
     * TargetConnectionErrorCount) once it is full. Small, and 0 by default: the seed's Puma failed
     * fast as soon as its threads were busy.
     */
    backlog: z.number().int().min(0).default(0),
    /**
     * A proxy (nginx) in the task that holds requests while every thread is busy, up to `backlog`.
     * It answers with its own error pages, which the load balancer passes on as the target's
     * (HTTPCode_Target_5XX): 502 Bad Gateway when the app cannot take one more (its upstream
     * refuses at once, as a full Unix socket does), 504 Gateway Time-out when a request has waited
     * `readTimeout` (proxy_read_timeout, 60 s by default) for its answer and that is sooner than
     * the load balancer's idle timeout. `connections` is nginx's own limit on requests it holds
     * (worker_processes × worker_connections ÷ 2: a proxied request holds a client and an upstream
     * connection); past it nginx accepts no more and the connection is refused (an ALB 502). None
     * by default.
     */
    proxy: z
      .object({ backlog: z.number().int().positive(), readTimeout: duration.default(60_000), connections: z.number().int().positive().optional() })
      .strict()
      .optional(),
  })
  .strict();

/**
 * How a revision's tasks fail, for deployments that go wrong: `exits-at-start` (the essential
 * container exits as it starts, so the task never reaches RUNNING) or `fails-health-checks` (the
 * app never answers the target group's health checks).
 */
const failureSchema = z.enum(["exits-at-start", "fails-health-checks"]);

const stopTimeoutMax = (td: { stopTimeout?: number | undefined }, ctx: z.core.$RefinementCtx<unknown>) => {
  if (td.stopTimeout !== undefined && td.stopTimeout > 120_000) ctx.addIssue({ code: "custom", path: ["stopTimeout"], message: `expected at most 120 s (ECS maximum), found ${td.stopTimeout / 1000} s` });
};

const pullWithinStartup = (td: { imagePull?: number | undefined; startup: number }, ctx: z.core.$RefinementCtx<unknown>) => {
  if (td.imagePull !== undefined && td.imagePull > td.startup) ctx.addIssue({ code: "custom", path: ["imagePull"], message: `expected at most the startup (${td.startup / 1000} s) it is part of, found ${td.imagePull / 1000} s` });
};

/**
 * A task definition volume on EFS (ECS API, EFSVolumeConfiguration): `fileSystem` names one of the
 * stack's file systems, `accessPoint` one of its access points. "If an access point is used,
 * transit encryption must be on" (EFSAuthorizationConfig.accessPointId).
 */
const volumeSchema = z
  .object({
    name,
    efsVolumeConfiguration: z
      .object({
        fileSystem: name,
        accessPoint: name.optional(),
        transitEncryption: z.enum(["ENABLED", "DISABLED"]).default("DISABLED"),
      })
      .strict()
      .superRefine((v, ctx) => {
        if (v.accessPoint !== undefined && v.transitEncryption !== "ENABLED") {
          ctx.addIssue({ code: "custom", path: ["transitEncryption"], message: `expected ENABLED with an access point (ECS requires transit encryption for one), found ${v.transitEncryption}` });
        }
      }),
  })
  .strict();

export type VolumeSpec = z.infer<typeof volumeSchema>;

/** A later revision of a family: what differs from revision 1 (anything not set is revision 1's). */
const revisionSchema = z
  .object({
    cpu: z.number().int().positive().optional(),
    memory: z.number().int().positive().optional(),
    startup: duration.optional(),
    imagePull: duration.optional(),
    shutdown: duration.optional(),
    stopTimeout: duration.optional(),
    app: appSchema.optional(),
    failure: failureSchema.optional(),
  })
  .strict()
  .superRefine(stopTimeoutMax);

export const taskDefinitionSchema = z
  .object({
    family: name,
    /** CPU units and MiB the task reserves. */
    cpu: z.number().int().positive(),
    memory: z.number().int().positive(),
    /** Image pull and container start: PENDING to RUNNING. */
    startup: duration.default(10_000),
    /** The image pull within startup (pullStartedAt to pullStoppedAt in DescribeTasks); default: up to 1 s of it. */
    imagePull: duration.optional(),
    /** How long the application takes to exit after SIGTERM; longer than stopTimeout means SIGKILL. */
    shutdown: duration.default(1_000),
    /** Seconds between SIGTERM and SIGKILL (container stopTimeout / ECS_CONTAINER_STOP_TIMEOUT). */
    stopTimeout: duration.default(30_000),
    app: appSchema.optional(),
    failure: failureSchema.optional(),
    /** Volumes the task mounts as it starts (Fargate: EFS); a mount that fails stops the task. */
    volumes: z.array(volumeSchema).default([]),
    /** Revisions 2, 3, ... of the family, registered at boot for a deployment to pick; services start on revision 1. */
    revisions: z.array(revisionSchema).default([]),
  })
  .strict()
  .superRefine(stopTimeoutMax)
  .superRefine(pullWithinStartup);

const placementStrategySchema = z
  .object({
    type: z.enum(["spread", "binpack", "random"]),
    field: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const ok =
      s.type === "random"
        ? s.field === undefined
        : s.type === "binpack"
          ? s.field === "memory" || s.field === "cpu"
          : s.field === "attribute:ecs.availability-zone" || s.field === "instanceId" || s.field === "host";
    if (!ok) {
      const expected =
        s.type === "binpack" ? `"memory" or "cpu"` : s.type === "spread" ? `"attribute:ecs.availability-zone" or "instanceId"` : "no field";
      ctx.addIssue({ code: "custom", path: ["field"], message: `expected ${expected} for ${s.type}, found ${JSON.stringify(s.field)}` });
    }
  });

export type PlacementStrategy = z.infer<typeof placementStrategySchema>;

/** ECS's spread-then-binpack default that most clusters use: AZ balance first, then pack on memory. */
export const DEFAULT_PLACEMENT: PlacementStrategy[] = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
  { type: "binpack", field: "memory" },
];

/**
 * One entry of a service's capacityProviderStrategy on Fargate (fargate-capacity-providers.html):
 * `base` tasks go to it first (only one entry may set a base), the rest split by `weight`
 * (default 0 through the API; a weight-0 provider gets no tasks beyond its base).
 */
const capacityProviderItemSchema = z
  .object({
    capacityProvider: z.enum(["FARGATE", "FARGATE_SPOT"]),
    base: z.number().int().min(0).max(100_000).default(0),
    weight: z.number().int().min(0).max(1_000).default(0),
  })
  .strict();

export type CapacityProviderItem = z.infer<typeof capacityProviderItemSchema>;

const capacityProviderStrategySchema = z
  .array(capacityProviderItemSchema)
  .min(1)
  .max(20)
  .superRefine((items, ctx) => {
    const based = items.filter((i) => i.base > 0);
    if (based.length > 1) ctx.addIssue({ code: "custom", path: [items.indexOf(based[1]!), "base"], message: `expected a base on one capacity provider only, found bases on ${based.map((i) => i.capacityProvider).join(" and ")}` });
    if (!items.some((i) => i.weight > 0)) ctx.addIssue({ code: "custom", path: [0, "weight"], message: "expected at least one capacity provider with a weight above 0, found none" });
    const names = items.map((i) => i.capacityProvider);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) ctx.addIssue({ code: "custom", path: [names.lastIndexOf(twice), "capacityProvider"], message: `expected each capacity provider once, found ${twice} twice` });
  });

export const serviceSchema = z
  .object({
    name,
    cluster: name,
    taskDefinition: name,
    launchType: z.enum(["EC2", "FARGATE"]).default("EC2"),
    /** Fargate capacity providers instead of a launch type (the service's tasks run on FARGATE). */
    capacityProviderStrategy: capacityProviderStrategySchema.optional(),
    desiredCount: z.number().int().min(0),
    minimumHealthyPercent: percent(0, 100).default(100),
    maximumPercent: percent(100, 200).default(200),
    placementStrategy: z.array(placementStrategySchema).max(5).default(DEFAULT_PLACEMENT),
    /** healthCheckGracePeriodSeconds: how long ECS ignores failed load balancer health checks of a new task (default 0). */
    healthCheckGracePeriod: duration.default(0),
    /** deploymentConfiguration.deploymentCircuitBreaker; off unless set, as on AWS. */
    deploymentCircuitBreaker: z.object({ enable: z.boolean(), rollback: z.boolean() }).strict().default({ enable: false, rollback: false }),
    /** The target group the service registers its tasks with. */
    targetGroup: name.optional(),
    tags,
  })
  .strict();

export type ClusterSpec = z.infer<typeof clusterSchema>;
export type TaskDefinitionSpec = z.infer<typeof taskDefinitionSchema>;
export type TaskFailure = z.infer<typeof failureSchema>;
export type ServiceSpec = z.infer<typeof serviceSchema>;
export type AppSpec = z.infer<typeof appSchema>;
