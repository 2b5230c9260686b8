import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_TOKEN, finishedReport, TestGateway } from './harness.js';

// Synthesis runs through the gateway: the mutation queues one job per answered problem of a dataset, the query
// and the subscription follow the jobs and what curation made of their trees.

const IMPORT = 'mutation($jsonl: String!, $name: String!) { importDataset(name: $name, jsonl: $jsonl) { dataset { id } } }';
const START = 'mutation($input: StartSynthesisInput!) { startSynthesis(input: $input) { id name round datasetId problemCount rollouts width } }';
const RUN = 'query($id: ID!) { synthesisRun(id: $id) { id round progress { problems jobs { queued running succeeded failed } curatedTrees covered traces pairs finished } } }';
const SUBSCRIBE = 'subscription($id: ID!) { synthesisProgress(id: $id) { jobs { queued running succeeded failed } curatedTrees covered finished } }';

let gateway: TestGateway;
let datasetId: string;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await TestGateway.start({ RSTAR_SYNTHESIS_POLL_MS: '100' });
  const jsonl = ['{"id": "a", "problem": "1+1?", "answer": "2"}', '{"id": "b", "problem": "2+2?"}', '{"id": "c", "problem": "3+3?", "answer": "6"}'].join('\n');
  const res = await gateway.graphql(IMPORT, { jsonl, name: 'tiny' }, { key: ADMIN_TOKEN });
  datasetId = (res.body.data as { importDataset: { dataset: { id: string } } }).importDataset.dataset.id;
});

afterAll(async () => {
  for (const c of clients) void c.dispose();
  await gateway?.close();
});

async function start(input: Record<string, unknown>, key = ADMIN_TOKEN) {
  return gateway.graphql(START, { input }, { key, correlationId: 'corr-synth' });
}

describe('startSynthesis', () => {
  it('queues one MCTS job with the ground truth per problem that has an answer, linked to the run', async () => {
    const res = await start({ datasetId, round: 2, budget: { rollouts: 6, width: 3 }, seed: 4 });
    expect(res.body.errors).toBeUndefined();
    const run = (res.body.data as { startSynthesis: Record<string, unknown> }).startSynthesis;
    expect(run).toMatchObject({ name: 'tiny-r2', round: 2, datasetId, problemCount: 2, rollouts: 6, width: 3 });

    const deliveries = await gateway.takeJobs(2);
    const jobs = await Promise.all(deliveries.map((d) => gateway.stores.jobs.get(d.jobId)));
    expect(jobs.map((j) => j?.referenceAnswer).sort()).toEqual(['2', '6']);
    expect(jobs.every((j) => j?.status === 'queued' && j.config.method === 'mcts' && j.config.rollouts === 6 && j.config.seed === 4 && j.problemId !== null && j.correlationId === 'corr-synth')).toBe(true);
    expect(deliveries.every((d) => d.correlationId === 'corr-synth')).toBe(true);
    for (const d of deliveries) expect(await gateway.stores.synthesisRuns.roundOfJob(d.jobId)).toBe(2);

    const progress = await gateway.graphql(RUN, { id: run['id'] }, { key: ADMIN_TOKEN });
    expect((progress.body.data as { synthesisRun: { progress: unknown } }).synthesisRun.progress).toEqual({
      problems: 2,
      jobs: { queued: 2, running: 0, succeeded: 0, failed: 0 },
      curatedTrees: 0,
      covered: 0,
      traces: 0,
      pairs: 0,
      finished: false,
    });
  });

  it('is for admin keys only, and refuses bad input naming the field', async () => {
    const client = await gateway.issueKey({ name: 'tutor' });
    expect((await start({ datasetId, round: 1 }, client.secret)).body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect((await start({ datasetId: 'no-such-dataset', round: 1 })).body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'datasetId' });
    expect((await start({ datasetId, round: -1 })).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'round' });
    expect((await start({ datasetId, round: 1, limit: 0 })).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect((await start({ datasetId, round: 1, budget: { rollouts: 100_000 } })).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'budget.rollouts' });
    const noAnswers = await gateway.graphql(IMPORT, { jsonl: '{"problem": "5+5?"}', name: 'unanswered' }, { key: ADMIN_TOKEN });
    const unanswered = (noAnswers.body.data as { importDataset: { dataset: { id: string } } }).importDataset.dataset.id;
    expect((await start({ datasetId: unanswered, round: 1 })).body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/no problem of dataset unanswered has an answer/) as unknown, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('follows the run over graphql-ws until no job is queued or running', async () => {
    const res = await start({ datasetId, round: 3, limit: 1, budget: { rollouts: 2 } });
    const runId = (res.body.data as { startSynthesis: { id: string } }).startSynthesis.id;
    const [delivery] = await gateway.takeJobs(1);
    const ws = createClient({ url: await gateway.wsUrl(), webSocketImpl: WebSocket, connectionParams: { apiKey: ADMIN_TOKEN }, retryAttempts: 0 });
    clients.push(ws);
    const events = ws.iterate<{ synthesisProgress: { jobs: Record<string, number>; curatedTrees: number; covered: number; finished: boolean } }>({ query: SUBSCRIBE, variables: { id: runId } });
    expect((await events.next()).value?.data?.synthesisProgress).toMatchObject({ jobs: { queued: 1, running: 0 }, finished: false });

    const jobId = delivery!.jobId;
    await gateway.stores.jobs.claim(jobId, 'worker-1');
    expect((await events.next()).value?.data?.synthesisProgress).toMatchObject({ jobs: { queued: 0, running: 1 }, finished: false });
    await gateway.stores.curation.saveTree({ jobId, problemId: 'p', round: 3, counts: {}, records: [{ kind: 'sft', id: 't', record: {} }] });
    await gateway.stores.jobs.complete(jobId, 'worker-1', { report: finishedReport('1+1?'), policyModel: 'm' });
    const seen: { curatedTrees: number; finished: boolean }[] = [];
    for (let next = await events.next(); !next.done; next = await events.next()) seen.push(next.value.data!.synthesisProgress);
    expect(seen.at(-1)).toMatchObject({ jobs: { succeeded: 1, queued: 0, running: 0 }, curatedTrees: 1, covered: 1, finished: true });
  });
});

describe('startSynthesis with the queue down', () => {
  it('answers SERVICE_UNAVAILABLE; the refused job is failed, not left queued', async () => {
    const broken = await TestGateway.start({}, { ports: { dispatcher: { enqueue: () => Promise.reject(new Error('no stream answered')) } } });
    try {
      const imported = await broken.graphql(IMPORT, { jsonl: '{"problem": "1+1?", "answer": "2"}', name: 'one' }, { key: ADMIN_TOKEN });
      const id = (imported.body.data as { importDataset: { dataset: { id: string } } }).importDataset.dataset.id;
      const res = await broken.graphql(START, { input: { datasetId: id, round: 1 } }, { key: ADMIN_TOKEN });
      expect(res.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/queued 0 of 1 problems before the queue refused/) as unknown, extensions: { code: 'SERVICE_UNAVAILABLE' } });
      const jobs = await broken.stores.jobs.list({ first: 10 });
      expect(jobs.items).toMatchObject([{ status: 'failed', error: 'the job could not be queued', workerId: null }]);
    } finally {
      await broken.close();
    }
  });
});
