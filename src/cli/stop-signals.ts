/**
 * The signals that stop a run (and a game day or a gate) with its rollbacks first: Ctrl-C, a polite
 * kill, and a hangup (the terminal closed, the SSH session dropped), which would otherwise end the
 * process at once.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
