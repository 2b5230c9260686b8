import { searchV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import type { NatsConnection } from './nats-connection.js';
import { isFinalProgress, SolveProgressBus } from './solve-progress-bus.js';

describe('SolveProgressBus', () => {
  it('puts the job id last in the subject, under the contract subject by default', () => {
    const bus = new SolveProgressBus({} as NatsConnection);
    expect(bus.subjectOf('job-1')).toBe(`${'rstar.search.v1.progress'}.job-1`);
    expect(new SolveProgressBus({} as NatsConnection, { subject: 'test.p' }).subjectOf('job-1')).toBe('test.p.job-1');
  });

  it('ends a stream on SUCCEEDED and FAILED only', () => {
    const event = (status: searchV1.JobStatus): searchV1.SolveProgressed => ({ jobId: 'j', status, rolloutsDone: 0, rolloutsTotal: 1 });
    expect(isFinalProgress(event(searchV1.JobStatus.JOB_STATUS_SUCCEEDED))).toBe(true);
    expect(isFinalProgress(event(searchV1.JobStatus.JOB_STATUS_FAILED))).toBe(true);
    expect(isFinalProgress(event(searchV1.JobStatus.JOB_STATUS_RUNNING))).toBe(false);
    expect(isFinalProgress(event(searchV1.JobStatus.JOB_STATUS_QUEUED))).toBe(false);
  });
});
