/**
 * How FIS's PERCENT(n) selection rounds, for parameter descriptions. FIS does not document it; the
 * sandbox's FIS rounds down (src/fis/selection-mode.ts), never more than the share.
 */
export const PERCENT_ROUNDING = "PERCENT(n) rounds the count down in the sandbox (PERCENT(50) of 5 picks 2); AWS does not document its rounding.";
