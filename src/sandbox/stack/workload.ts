/**
 * The stack's load section: an open-model arrival rate per service, in stages like Gatling's
 * injection profile (`rampUsersPerSec(a).to(b).during(d)`, `constantUsersPerSec(r).during(d)`).
 * After the last stage the last rate holds, so the stack stays under load for as long as it runs.
 */
import { z } from "zod";
import { duration } from "./duration.js";

const rate = z.number().min(0);

export const loadStageSchema = z.union([
  z.object({ rampUsersPerSec: z.object({ from: rate, to: rate, during: duration }).strict() }).strict(),
  z.object({ constantUsersPerSec: z.object({ rate, during: duration.optional() }).strict() }).strict(),
]);

export const loadSchema = z.record(z.string(), z.array(loadStageSchema).min(1));

export type LoadStage = z.infer<typeof loadStageSchema>;
export type LoadSpec = z.infer<typeof loadSchema>;
