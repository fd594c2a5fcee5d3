/** Small zod building blocks shared by the stack file's sections. */
import { z } from "zod";

export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, {
  message: "expected a name of letters, digits, '-' and '_' (at most 255 characters)",
});

export const tags = z.record(z.string(), z.string()).default({});

export const positiveInt = z.number().int().positive();

export const percent = (min: number, max: number) => z.number().int().min(min).max(max);
