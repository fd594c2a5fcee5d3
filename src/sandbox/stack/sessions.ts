/**
 * The stack's sessions section: clients that start a one-off task for an interactive session and
 * stop it when the session ends, as the seed's ecs-fargate-login does (RunTask with a fixed
 * startedBy, then StopTask after logout). `clientKilled` is the share of sessions whose client is
 * killed before its cleanup runs (Ctrl-C, a closed laptop): their task stays RUNNING unless the
 * task stops itself after `taskIdleTimeout` without a session.
 */
import { z } from "zod";
import { duration } from "./duration.js";
import { name } from "./common.js";

export const sessionSchema = z
  .object({
    name,
    cluster: name,
    /** The task definition family the session's task runs. */
    taskDefinition: name,
    /** RunTask's startedBy, which is how an operator finds these tasks (ListTasks startedBy). */
    startedBy: z.string().min(1).max(36),
    /** A new session starts this often. */
    every: duration,
    /** How long a session lasts, from RunTask to the client's StopTask. */
    length: duration,
    clientKilled: z.number().min(0).max(1).default(0),
    taskIdleTimeout: duration.optional(),
  })
  .strict();

export const sessionsSchema = z.array(sessionSchema);

export type SessionSpec = z.infer<typeof sessionSchema>;
