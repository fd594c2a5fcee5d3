/** A call's result in comparable form: the output, or what identifies the error (for differential tests of SDK paths). */
export async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    const e = err as Error & { $fault?: string; $metadata?: unknown; code?: string; gaveUp?: string; attempts?: number };
    return { error: { class: e.constructor.name, name: e.name, message: e.message, fault: e.$fault, metadata: e.$metadata, code: e.code, gaveUp: e.gaveUp, attempts: e.attempts } };
  }
}
