export interface RateDecision {
  allowed: boolean;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** When refused: milliseconds until the window resets. */
  retryAfterMs: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Requests per key per fixed one-minute window, in memory. Each gateway replica counts on its own, so with N
 * replicas behind a load balancer a key gets at most N × its limit; enough to stop a runaway client.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep: number;

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Counts one request of `key`, whose limit is `limit` per window; refused requests are not counted. */
  take(key: string, limit: number): RateDecision {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= limit) {
      return { allowed: false, remaining: 0, retryAfterMs: window.startedAt + this.windowMs - now };
    }
    window.count += 1;
    return { allowed: true, remaining: limit - window.count, retryAfterMs: 0 };
  }

  /** Forgets windows that have ended, at most once per window, so idle keys do not pile up. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }

  get trackedKeys(): number {
    return this.windows.size;
  }
}
