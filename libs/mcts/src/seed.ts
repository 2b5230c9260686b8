/**
 * A per-request seed derived from the search seed, the node and the request count, so a search is
 * reproducible for a given seed and a deterministic policy (FNV-1a over the three numbers).
 */
export function deriveSeed(seed: number, nodeId: number, request: number): number {
  let h = 0x811c9dc5;
  for (const v of [seed, nodeId, request]) {
    for (let i = 0; i < 4; i++) {
      h ^= (v >>> (i * 8)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h & 0x7fffffff;
}
