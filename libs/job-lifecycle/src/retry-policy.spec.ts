import { describe, expect, it } from 'vitest';
import { decideAfterFailure } from './retry-policy.js';

class Refused extends Error {}
const policy = { retryDelayMs: 3000, isPermanent: (error: unknown) => error instanceof Refused };

describe('decideAfterFailure', () => {
  it('retries a transient failure (unknown errors included) after the delay', () => {
    expect(decideAfterFailure(new Error('connection reset'), false, policy)).toEqual({ action: 'retry', delayMs: 3000 });
    expect(decideAfterFailure('a string', false, policy)).toEqual({ action: 'retry', delayMs: 3000 });
  });

  it('fails a permanent failure at once, and any failure on the last delivery', () => {
    expect(decideAfterFailure(new Refused('bad request'), false, policy)).toEqual({ action: 'fail' });
    expect(decideAfterFailure(new Error('connection reset'), true, policy)).toEqual({ action: 'fail' });
  });
});
