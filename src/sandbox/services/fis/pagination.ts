/**
 * maxResults/nextToken paging for the List calls. The token is opaque to callers; it names the
 * listing it belongs to, so a token from one listing is refused by another.
 */
import { constraintError, validationError } from "./errors.js";

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(all: readonly T[], query: Record<string, string>, scope: string, maxAllowed = 100): Page<T> {
  const size = readMaxResults(query.maxResults, maxAllowed);
  const offset = query.nextToken === undefined ? 0 : readToken(query.nextToken, scope);
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  return next < all.length ? { items, nextToken: makeToken(scope, next) } : { items };
}

function readMaxResults(raw: string | undefined, maxAllowed: number): number {
  if (raw === undefined) return maxAllowed;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1)) throw constraintError(raw, "maxResults", "Member must have value greater than or equal to 1");
  if (n > maxAllowed) throw constraintError(raw, "maxResults", `Member must have value less than or equal to ${maxAllowed}`);
  return n;
}

function makeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString("base64url");
}

function readToken(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { scope?: unknown; offset?: unknown };
    if (parsed.scope === scope && typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw validationError(`Invalid nextToken "${token}": pass the nextToken returned by the previous call of this listing.`);
}
