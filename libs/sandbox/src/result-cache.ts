import { createHash } from 'node:crypto';
import type { SandboxRunResult } from '@rstar/clients';
import { LRUCache } from 'lru-cache';

/** The cache key of a program: the sha256 of its text. */
export function programKey(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/**
 * Whether a result would come out the same on a rerun. Runs are reproducible (fixed seeds and hash seed,
 * fresh state), except for timeouts, which depend on load, and internal failures.
 */
export function isCacheable(result: SandboxRunResult): boolean {
  return result.errorKind !== 'timeout' && result.errorKind !== 'internal';
}

/**
 * Results by program, least recently used evicted first. Siblings in a search tree re-run the same
 * cumulative prefixes, so identical programs are common.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, SandboxRunResult> | null;

  constructor(maxEntries: number, maxBytes: number) {
    this.lru =
      maxEntries > 0
        ? new LRUCache<string, SandboxRunResult>({
            max: maxEntries,
            maxSize: maxBytes,
            sizeCalculation: (r) => Math.max(1, r.stdout.length + r.errorMessage.length + 64),
          })
        : null;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** The cached result of this program, marked `cached: true`. */
  get(key: string): SandboxRunResult | undefined {
    const hit = this.lru?.get(key);
    return hit && { ...hit, cached: true };
  }

  set(key: string, result: SandboxRunResult): void {
    if (this.lru && isCacheable(result)) this.lru.set(key, { ...result, cached: false });
  }
}
