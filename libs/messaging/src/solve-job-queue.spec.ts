import { describe, expect, it } from 'vitest';
import { assertJobId, JobMessagingError, JobMessagingErrorCode } from './solve-job-queue.js';

describe('assertJobId', () => {
  it('accepts ids that are one subject token and a message id (UUIDs, slugs)', () => {
    expect(() => assertJobId('361727c9-52a5-402a-a6af-baea1bbe0fa4')).not.toThrow();
    expect(() => assertJobId('job_7')).not.toThrow();
  });

  it('refuses ids that would change a subject or are empty', () => {
    for (const bad of ['', 'a.b', '*', '>', 'a b', 'x'.repeat(129)]) {
      const error = (() => {
        try {
          assertJobId(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(JobMessagingError);
      expect((error as JobMessagingError).code).toBe(JobMessagingErrorCode.InvalidJobId);
    }
  });
});
