/**
 * How many resources one generated fault may select: the blast-radius cap, read from this one
 * place. A search that wants more at once must overlap several faults, which is also how such
 * failures happen (two spot notices a minute apart, not one notice for two instances). When the
 * guardrails' cap lands, this is where explore reads it.
 */
export const TARGETS_PER_FAULT_CAP = 1;
