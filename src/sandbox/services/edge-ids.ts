/**
 * Ids for the edge's resources (an HTTP API's ApiId, a DistributionId) when the stack names none:
 * derived from the resource's name (FNV-1a rounds), not drawn from the run's random, so adding an
 * edge to a stack leaves every other id of a seeded run as it was.
 */
export function stableId(name: string, length: number): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(36);
  }
  return out.slice(0, length);
}
