/**
 * The stack's load section: an open-model arrival rate per service, in stages like Gatling's
 * injection profile (`rampUsersPerSec(a).to(b).during(d)`, `constantUsersPerSec(r).during(d)`).
 * After the last stage the last rate holds, so the stack stays under load for as long as it runs.
 */
import { z } from "zod";
import { oneOf, strict } from "../../experiment/schema-kit.js";
import { duration } from "./duration.js";

const rate = z.number().min(0);

const STAGE = "a stage: `rampUsersPerSec: { from, to, during }` or `constantUsersPerSec: { rate, during }`";

export const loadStageSchema = oneOf(
  [
    // strict(): the keys travel with the schema, so a misspelt one inside the union gets a did-you-mean.
    strict({ rampUsersPerSec: strict({ from: rate, to: rate, during: duration }) }),
    strict({ constantUsersPerSec: strict({ rate, during: duration.optional() }) }),
  ],
  STAGE,
  // The stage's one key says which it is meant to be.
  (input) => {
    const keys = typeof input === "object" && input !== null && !Array.isArray(input) ? Object.keys(input) : [];
    if (keys[0] === "rampUsersPerSec") return 0;
    if (keys[0] === "constantUsersPerSec") return 1;
    return { expected: STAGE };
  },
);

export const loadSchema = z.record(z.string(), z.array(loadStageSchema).min(1));

export type LoadStage = z.infer<typeof loadStageSchema>;
export type LoadSpec = z.infer<typeof loadSchema>;
