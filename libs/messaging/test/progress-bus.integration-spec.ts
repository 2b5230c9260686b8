import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type Msg } from '@nats-io/transport-node';
import { searchV1 } from '@rstar/contracts';
import { runWithCorrelation } from '@rstar/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection } from '../src/nats-connection.js';
import { SolveProgressBus } from '../src/solve-progress-bus.js';

// Real NATS (tools/infra up); each test publishes under its own subject prefix.
const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const { JobStatus } = searchV1;

let nc: NatsConnection;

beforeAll(async () => {
  try {
    nc = await connectNats(NATS_URL, 'progress-bus-test');
  } catch (error) {
    throw new Error(`NATS is not reachable at ${NATS_URL} (start it with tools/infra up): ${String(error)}`);
  }
});

afterAll(async () => {
  await nc?.close();
});

function bus(): SolveProgressBus {
  return new SolveProgressBus(nc, { subject: `test.progress.${randomUUID().slice(0, 8)}` });
}

function progress(jobId: string, status: searchV1.JobStatus, rolloutsDone: number, extra: Partial<searchV1.SolveProgressed> = {}): searchV1.SolveProgressed {
  return { jobId, status, rolloutsDone, rolloutsTotal: 4, ...extra };
}

async function collect(events: AsyncIterable<searchV1.SolveProgressed>): Promise<searchV1.SolveProgressed[]> {
  const out: searchV1.SolveProgressed[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('SolveProgressBus (real NATS)', () => {
  it("streams one job's events in order and ends after its final event", async () => {
    const progressBus = bus();
    const sub = progressBus.subscribe('job-1');
    const received = collect(sub);
    await progressBus.flush();
    progressBus.publish(progress('job-1', JobStatus.JOB_STATUS_RUNNING, 1, { bestAnswer: '72', bestQ: 0.5 }), 'corr-1');
    progressBus.publish(progress('job-2', JobStatus.JOB_STATUS_RUNNING, 1), 'corr-2'); // another job: not delivered
    progressBus.publish(progress('job-1', JobStatus.JOB_STATUS_RUNNING, 2), 'corr-1');
    progressBus.publish(progress('job-1', JobStatus.JOB_STATUS_SUCCEEDED, 4, { bestAnswer: '72', bestQ: 0.9 }), 'corr-1');
    progressBus.publish(progress('job-1', JobStatus.JOB_STATUS_RUNNING, 5), 'corr-1'); // after the end: not delivered
    expect(await received).toEqual([
      { jobId: 'job-1', status: JobStatus.JOB_STATUS_RUNNING, rolloutsDone: 1, rolloutsTotal: 4, bestAnswer: '72', bestQ: 0.5 },
      { jobId: 'job-1', status: JobStatus.JOB_STATUS_RUNNING, rolloutsDone: 2, rolloutsTotal: 4 },
      { jobId: 'job-1', status: JobStatus.JOB_STATUS_SUCCEEDED, rolloutsDone: 4, rolloutsTotal: 4, bestAnswer: '72', bestQ: 0.9 },
    ]);
  });

  it('carries the correlation id of the work in progress in the header', async () => {
    const progressBus = bus();
    const raw = nc.subscribe(progressBus.subjectOf('job-h'), { max: 1 });
    const first = (async (): Promise<Msg | undefined> => {
      for await (const m of raw) return m;
      return undefined;
    })();
    await nc.flush();
    runWithCorrelation('corr-in-scope', () => progressBus.publish(progress('job-h', JobStatus.JOB_STATUS_FAILED, 0, { error: 'policy unreachable' })));
    const msg = await first;
    expect(msg?.headers?.get('x-correlation-id')).toBe('corr-in-scope');
    // proto3 JSON: zero values are left out.
    expect(JSON.parse(msg!.string())).toEqual({ jobId: 'job-h', status: 'JOB_STATUS_FAILED', rolloutsTotal: 4, error: 'policy unreachable' });
  });

  it('skips payloads that break the contract and reports them', async () => {
    const progressBus = bus();
    const invalid: string[] = [];
    const sub = progressBus.subscribe('job-x', { onInvalid: (r) => invalid.push(r) });
    const received = collect(sub);
    await progressBus.flush();
    const h = natsHeaders();
    h.set('x-correlation-id', 'c');
    nc.publish(progressBus.subjectOf('job-x'), 'not json', { headers: h });
    nc.publish(progressBus.subjectOf('job-x'), JSON.stringify({ jobId: 'job-x', rolloutsDone: 'many' }));
    nc.publish(progressBus.subjectOf('job-x'), JSON.stringify({ jobId: 'job-y', status: 'JOB_STATUS_FAILED' }));
    progressBus.publish(progress('job-x', JobStatus.JOB_STATUS_FAILED, 0, { error: 'x' }));
    expect((await received).map((e) => e.status)).toEqual([JobStatus.JOB_STATUS_FAILED]);
    expect(invalid).toHaveLength(3);
    expect(invalid[1]).toMatch(/rolloutsDone must be number, got string/);
    expect(invalid[2]).toBe('event of job job-y on the subject of job job-x');
  });

  it('ends a pending iteration on close()', async () => {
    const sub = bus().subscribe('job-c');
    const received = collect(sub);
    setTimeout(() => sub.close(), 100);
    expect(await received).toEqual([]);
  });

  it('refuses a job id that would change the subject', () => {
    expect(() => bus().subscribe('a.b')).toThrow(/invalid job id/);
    expect(() => bus().publish(progress('*', JobStatus.JOB_STATUS_RUNNING, 0))).toThrow(/invalid job id/);
  });
});
