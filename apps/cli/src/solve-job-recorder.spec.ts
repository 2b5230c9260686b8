import { parseSearchConfig, type NodeReport, type SearchReport } from '@rstar/mcts';
import { createDataSource, migrate, openStores, type Stores } from '@rstar/persistence';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorkerId, processRuns, SolveJobRecorder } from './solve-job-recorder.js';

const config = parseSearchConfig({ rollouts: 2, width: 2 });

function node(id: number, parentId: number | null, fields: Partial<NodeReport> = {}): NodeReport {
  return {
    id, parentId, depth: parentId === null ? 0 : 1, kind: parentId === null ? 'root' : 'code', text: `node ${id}`, reasoning: '', code: '', output: null,
    errorKind: null, executed: false, answer: null, terminal: false, terminalReason: null, q: 0, visits: 1, valueSum: 0, ppmScore: null, reward: null,
    correct: null, ...fields,
  };
}

const report: SearchReport = {
  question: 'What is 2 + 3?', method: 'mcts', config, evaluator: 'consistency', answer: '5', answerNodeId: 2, answerQ: 0.75, bestTrajectory: [0, 1, 2],
  rollouts: 2, elapsedMs: 1234, stats: { policyRequests: 2, promptTokens: 10, completionTokens: 20, sandboxRuns: 1, sandboxCacheHits: 0, ppmCalls: 0 },
  nodes: [node(0, null), node(1, 0, { q: 0.5 }), { ...node(2, 1, { kind: 'answer', answer: '5', terminal: true, terminalReason: 'answer', q: 0.75 }), depth: 2 }],
};

describe('SolveJobRecorder (SQLite in memory)', () => {
  let dataSource: ReturnType<typeof createDataSource>;
  let stores: Stores;

  beforeEach(async () => {
    dataSource = createDataSource('sqlite::memory:');
    await migrate(dataSource);
    stores = openStores(dataSource);
  });

  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  it('creates and claims a job, then completes it with the answer and the whole tree', async () => {
    const recorder = new SolveJobRecorder(stores.jobs, 'cli@test:1');
    const id = await recorder.begin('What is 2 + 3?', '5', config);
    expect(id).not.toBeNull();
    expect(await stores.jobs.get(id ?? '')).toMatchObject({ status: 'running', attempts: 1, workerId: 'cli@test:1', referenceAnswer: '5', correlationId: recorder.correlationId });

    expect(await recorder.succeeded(id, report, 'smollm2-135m')).toBe(true);
    expect(await stores.jobs.get(id ?? '')).toMatchObject({ status: 'succeeded', answer: '5', answerQ: 0.75, rolloutsDone: 2, policyModel: 'smollm2-135m', elapsedMs: 1234 });
    const tree = await stores.trees.get(id ?? '');
    expect(tree?.bestTrajectory).toEqual([0, 1, 2]);
    expect(tree?.nodes).toEqual(report.nodes);
    expect(recorder.problem).toBeNull();
  });

  it('tells the job the total its method reports progress against', async () => {
    const recorder = new SolveJobRecorder(stores.jobs);
    const greedy = await recorder.begin('What is 2 + 3?', null, parseSearchConfig({ method: 'greedy', rollouts: 8 }), 1);
    expect(await stores.jobs.get(greedy ?? '')).toMatchObject({ status: 'running', rolloutsDone: 0, rolloutsTotal: 1 });
  });

  it('fails the job with the reason the search threw', async () => {
    const recorder = new SolveJobRecorder(stores.jobs);
    const id = await recorder.begin('What is 2 + 3?', null, config);
    await recorder.failed(id, new Error('interrupted'));
    expect(await stores.jobs.get(id ?? '')).toMatchObject({ status: 'failed', error: 'interrupted' });
    expect(await stores.trees.get(id ?? '')).toBeNull();
    expect(recorder.problem).toBeNull();
  });

  it('fails the running jobs of CLI processes of this machine that are gone, and no others', async () => {
    const deadCli = new SolveJobRecorder(stores.jobs, cliWorkerId(4242, 'here'));
    const liveCli = new SolveJobRecorder(stores.jobs, cliWorkerId(4343, 'here'));
    const otherHost = new SolveJobRecorder(stores.jobs, cliWorkerId(4242, 'elsewhere'));
    const worker = new SolveJobRecorder(stores.jobs, 'search-7f9c');
    const orphan = await deadCli.begin('a', null, config);
    const finished = await deadCli.begin('b', null, config);
    await deadCli.succeeded(finished, report, 'm');
    const others = [await liveCli.begin('c', null, config), await otherHost.begin('d', null, config), await worker.begin('e', null, config)];

    const reaper = new SolveJobRecorder(stores.jobs);
    expect(await reaper.failOrphans((pid) => pid === 4343, 'here')).toBe(1);
    expect(await stores.jobs.get(orphan ?? '')).toMatchObject({ status: 'failed', error: 'the rstar process running the search exited before it ended' });
    expect((await stores.jobs.get(finished ?? ''))?.status).toBe('succeeded');
    for (const id of others) expect((await stores.jobs.get(id ?? ''))?.status).toBe('running');
    expect(reaper.problem).toBeNull();
  });

  it('never throws when the database goes away: it notes what was not stored', async () => {
    const recorder = new SolveJobRecorder(stores.jobs);
    const id = await recorder.begin('What is 2 + 3?', null, config);
    await dataSource.destroy();
    await expect(recorder.succeeded(id, report, 'm')).resolves.toBe(false);
    expect(await recorder.begin('What is 4 + 4?', null, config)).toBeNull();
    expect(recorder.problem).toMatch(/\(and 1 more failed writes\)$/);
  });

  it('knows whether a process runs', () => {
    expect(processRuns(process.pid)).toBe(true);
    expect(processRuns(2 ** 22 + 1)).toBe(false); // above Linux's pid_max
  });

  it('says so when another worker holds the job', async () => {
    const recorder = new SolveJobRecorder(stores.jobs, 'cli@test:1');
    const id = await recorder.begin('What is 2 + 3?', null, config);
    await stores.jobs.claim(id ?? '', 'someone-else');
    expect(await recorder.succeeded(id, report, 'm')).toBe(false);
    expect(recorder.problem).toMatch(/no longer held by cli@test:1/);
    expect(await stores.jobs.get(id ?? '')).toMatchObject({ status: 'running', workerId: 'someone-else' });
  });
});
