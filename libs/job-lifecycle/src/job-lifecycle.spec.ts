import { emptyStats, parseSearchConfig, type SearchReport } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { JobLifecycle, JobNotQueuedError, NOT_QUEUED_REASON } from './job-lifecycle.js';
import { InMemoryJobStore } from './testing/index.js';

const newJob = { question: 'What is 6 * 7?', config: parseSearchConfig({ rollouts: 4 }), correlationId: 'corr-1' };
const progress = (done: number) => ({ rolloutsDone: done, rolloutsTotal: 4, bestAnswer: '42', bestQ: 0.5 });

describe('JobLifecycle', () => {
  it('submit stores the job and puts it on the queue under its id and correlation id', async () => {
    const store = new InMemoryJobStore();
    const queued: [string, string][] = [];
    const job = await new JobLifecycle(store).submit(newJob, { enqueue: (id, corr) => Promise.resolve(queued.push([id, corr])) });
    expect(queued).toEqual([[job.id, 'corr-1']]);
    expect(store.jobs.get(job.id)).toMatchObject({ status: 'queued' });
  });

  it('submit abandons a job the queue refused (no fake worker claims it) and says so', async () => {
    const store = new InMemoryJobStore();
    const refused = new JobLifecycle(store).submit(newJob, { enqueue: () => Promise.reject(new Error('no stream answered')) });
    await expect(refused).rejects.toThrow(JobNotQueuedError);
    await expect(refused).rejects.toThrow(/no stream answered/);
    const [job] = store.jobs.values();
    expect(job).toMatchObject({ status: 'failed', error: NOT_QUEUED_REASON, workerId: null, attempts: 0 });
    expect(store.calls.filter((c) => c.startsWith('claim'))).toEqual([]);
  });

  it('claim hands out a held job; a finished or unknown job is null', async () => {
    const store = new InMemoryJobStore();
    const lifecycle = new JobLifecycle(store);
    store.add({ id: 'a' });
    const held = await lifecycle.claim('a', 'w1');
    expect(held?.record).toMatchObject({ id: 'a', status: 'running', workerId: 'w1', attempts: 1 });
    expect(await held?.complete({ report: report(), policyModel: 'm' })).toBe(true);
    expect(await lifecycle.claim('a', 'w2')).toBeNull();
    expect(await lifecycle.claim('nope', 'w2')).toBeNull();
  });

  it('a held job writes its progress, skipping to the latest while a write is in flight, and settles before completing', async () => {
    const store = new InMemoryJobStore();
    store.add({ id: 'a' });
    const held = (await new JobLifecycle(store).claim('a', 'w1'))!;
    held.progress(progress(1));
    held.progress(progress(2));
    held.progress(progress(3));
    expect(await held.complete({ report: report(), policyModel: 'm' })).toBe(true);
    expect(store.calls).toEqual(['claim a w1', 'progress a 1/4', 'progress a 3/4', 'complete a']);
    expect(held.lastProgress).toEqual(progress(3));
  });

  it('a job another worker took over calls onTakenOver, and its old holder can no longer finish or release it', async () => {
    const store = new InMemoryJobStore();
    store.add({ id: 'a' });
    const lifecycle = new JobLifecycle(store);
    const held = (await lifecycle.claim('a', 'w1'))!;
    let takenOver = 0;
    held.onTakenOver(() => takenOver++);
    await lifecycle.claim('a', 'w2');
    held.progress(progress(1));
    await held.settle();
    expect(takenOver).toBe(1);
    expect(await held.fail('boom')).toBe(false);
    expect(await held.release()).toBe(false);
    expect(await held.complete({ report: report(), policyModel: 'm' })).toBe(false);
    expect(store.jobs.get('a')).toMatchObject({ status: 'running', workerId: 'w2' });
  });

  it('progress that cannot be written (database away) is logged, not thrown', async () => {
    const store = new InMemoryJobStore();
    store.add({ id: 'a' });
    const warnings: string[] = [];
    const held = (await new JobLifecycle(store, { warn: (m) => warnings.push(m) }).claim('a', 'w1'))!;
    store.beforeProgress = () => {
      throw new Error('connection reset');
    };
    held.progress(progress(1));
    await held.settle();
    expect(warnings).toEqual(['job a: progress not recorded: connection reset']);
  });

  it('release puts a held job back in the queue state; fail ends it with the reason', async () => {
    const store = new InMemoryJobStore();
    const lifecycle = new JobLifecycle(store);
    store.add({ id: 'a' });
    store.add({ id: 'b' });
    expect(await (await lifecycle.claim('a', 'w1'))!.release()).toBe(true);
    expect(store.jobs.get('a')).toMatchObject({ status: 'queued', workerId: null });
    expect(await (await lifecycle.claim('b', 'w1'))!.fail('policy refused')).toBe(true);
    expect(store.jobs.get('b')).toMatchObject({ status: 'failed', error: 'policy refused' });
  });

  it('start creates and claims a job the process runs itself, with the progress total of its method', async () => {
    const store = new InMemoryJobStore();
    const held = await new JobLifecycle(store).start(newJob, 'cli@host:1', 1);
    expect(store.jobs.get(held.id)).toMatchObject({ status: 'running', workerId: 'cli@host:1', rolloutsTotal: 1 });
    const same = await new JobLifecycle(store).start(newJob, 'cli@host:1', 2);
    expect(store.calls.filter((c) => c.startsWith(`progress ${same.id}`))).toEqual([]);
  });

  it('abandon fails a queued job or one running by a dead worker, never a finished one', async () => {
    const store = new InMemoryJobStore();
    const lifecycle = new JobLifecycle(store);
    store.add({ id: 'queued' });
    store.add({ id: 'running', status: 'running', workerId: 'w-dead' });
    store.add({ id: 'done', status: 'succeeded' });
    expect(await lifecycle.abandon('queued', 'no worker finished it')).toBe(true);
    expect(await lifecycle.abandon('running', 'no worker finished it')).toBe(true);
    expect(await lifecycle.abandon('done', 'no worker finished it')).toBe(false);
    expect(await lifecycle.abandon('unknown', 'no worker finished it')).toBe(false);
    expect([...store.jobs.values()].map((j) => [j.id, j.status])).toEqual([
      ['queued', 'failed'],
      ['running', 'failed'],
      ['done', 'succeeded'],
    ]);
  });

  it('abandonOrphans fails the running jobs of dead workers across pages, and leaves the living ones', async () => {
    const store = new InMemoryJobStore();
    for (let i = 0; i < 5; i++) store.add({ id: `dead-${i}`, status: 'running', workerId: `cli@h:${100 + i}` });
    store.add({ id: 'alive', status: 'running', workerId: 'cli@h:7' });
    store.add({ id: 'queued' });
    const abandoned = await new JobLifecycle(store).abandonOrphans((worker) => worker !== 'cli@h:7', 'its process exited', 2);
    expect(abandoned).toBe(5);
    expect(store.jobs.get('alive')).toMatchObject({ status: 'running' });
    expect(store.jobs.get('queued')).toMatchObject({ status: 'queued' });
    expect(store.jobs.get('dead-4')).toMatchObject({ status: 'failed', error: 'its process exited' });
  });
});

function report(): SearchReport {
  const config = parseSearchConfig({ rollouts: 4 });
  return { question: 'What is 6 * 7?', method: config.method, config, evaluator: 'ground_truth', answer: '42', answerNodeId: null, answerQ: 1, bestTrajectory: [], rollouts: 4, elapsedMs: 10, stats: emptyStats(), nodes: [] };
}
