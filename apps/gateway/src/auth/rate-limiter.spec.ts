import { describe, expect, it } from 'vitest';
import { FixedWindowRateLimiter } from './rate-limiter.js';

describe('FixedWindowRateLimiter', () => {
  it('allows `limit` requests per window and refuses the rest until the window ends', () => {
    let now = 1_000;
    const limiter = new FixedWindowRateLimiter(60_000, () => now);
    expect([1, 2, 3].map(() => limiter.take('a', 3).allowed)).toEqual([true, true, true]);
    const refused = limiter.take('a', 3);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 60_000 });
    now += 59_999;
    expect(limiter.take('a', 3).allowed).toBe(false);
    now += 1;
    expect(limiter.take('a', 3)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  it('counts each key on its own', () => {
    const limiter = new FixedWindowRateLimiter(60_000, () => 0);
    limiter.take('a', 1);
    expect(limiter.take('a', 1).allowed).toBe(false);
    expect(limiter.take('b', 1).allowed).toBe(true);
  });

  it('forgets keys whose window ended', () => {
    let now = 0;
    const limiter = new FixedWindowRateLimiter(1000, () => now);
    for (let i = 0; i < 50; i++) limiter.take(`k${i}`, 10);
    expect(limiter.trackedKeys).toBe(50);
    now = 5000;
    limiter.take('fresh', 10);
    expect(limiter.trackedKeys).toBe(1);
  });
});
