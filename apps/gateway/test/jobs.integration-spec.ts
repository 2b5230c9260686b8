import { searchV1 } from '@rstar/contracts';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_TOKEN, finishedReport, TestGateway } from './harness.js';

// Solve jobs end to end through the gateway: the mutation, the JetStream queue, reading a finished job back,
// and progress over graphql-ws.

const QUESTION = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?';

const SOLVE = 'mutation Solve($input: SolveInput!) { solve(input: $input) { id status question method budget { rollouts width } seed rolloutsDone rolloutsTotal attempts createdAt } }';

const JOB = `query Job($id: ID!) { solveJob(id: $id) {
  id status answer answerQ rolloutsDone rolloutsTotal error attempts policyModel createdAt startedAt finishedAt
  steps { nodeId depth kind reasoning code output errorKind answer q visits ppmScore }
  tree { jobId evaluator answerNodeId bestTrajectory nodeCount nodes { id parentId kind errorKind q visits } edges { from to } }
} }`;

interface SolvedJob {
  id: string;
  status: string;
}

let gateway: TestGateway;
let key: { secret: string; id: string };

beforeAll(async () => {
  gateway = await TestGateway.start();
  key = await gateway.issueKey({ name: 'tutor' });
});

afterAll(async () => {
  await gateway?.close();
});

async function solve(input: Record<string, unknown>, secret = key.secret, correlationId?: string): Promise<SolvedJob> {
  const res = await gateway.graphql(SOLVE, { input }, { key: secret, ...(correlationId ? { correlationId } : {}) });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { solve: SolvedJob }).solve;
}

describe('solve', () => {
  it('stores a queued job and puts it on the work queue with the request correlation id', async () => {
    const res = await gateway.graphql(SOLVE, { input: { problem: QUESTION, method: 'BEST_OF_N', budget: { rollouts: 4, width: 2 }, seed: 7 } }, { key: key.secret, correlationId: 'corr-solve-1' });
    expect(res.status).toBe(200);
    const job = (res.body.data as { solve: Record<string, unknown> }).solve;
    expect(job).toMatchObject({ status: 'QUEUED', question: QUESTION, method: 'BEST_OF_N', budget: { rollouts: 4, width: 2 }, seed: 7, rolloutsDone: 0, rolloutsTotal: 4, attempts: 0 });

    const stored = await gateway.stores.jobs.get(job['id'] as string);
    expect(stored).toMatchObject({ status: 'queued', apiKeyId: key.id, correlationId: 'corr-solve-1', config: { method: 'best-of-n', rollouts: 4, width: 2, seed: 7 } });

    const [delivery] = await gateway.takeJobs(1);
    expect(delivery).toMatchObject({ jobId: job['id'], correlationId: 'corr-solve-1', deliveryCount: 1 });
  });

  it('needs exactly one of problem and problemId, and a known problemId', async () => {
    const neither = await gateway.graphql(SOLVE, { input: {} }, { key: key.secret });
    expect(neither.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'problem' });
    const unknown = await gateway.graphql(SOLVE, { input: { problemId: 'no-such-problem' } }, { key: key.secret });
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'problemId' });
  });
});

describe('solveJob', () => {
  it('reads the steps and the tree of a job finished through the store', async () => {
    const { id } = await solve({ problem: QUESTION, budget: { rollouts: 4 } });
    const before = await gateway.graphql(JOB, { id }, { key: key.secret });
    expect(before.body.data).toMatchObject({ solveJob: { id, status: 'QUEUED', steps: [], tree: null, startedAt: null } });

    expect(await gateway.stores.jobs.claim(id, 'worker-1')).not.toBeNull();
    expect(await gateway.stores.jobs.complete(id, 'worker-1', { report: finishedReport(QUESTION), policyModel: 'smollm2-135m' })).toBe(true);

    const res = await gateway.graphql(JOB, { id }, { key: key.secret });
    expect(res.body.errors).toBeUndefined();
    const job = (res.body.data as { solveJob: Record<string, unknown> }).solveJob;
    expect(job).toMatchObject({ status: 'SUCCEEDED', answer: '72', answerQ: 1, rolloutsDone: 4, attempts: 1, policyModel: 'smollm2-135m', error: null });
    expect(typeof job['finishedAt']).toBe('string');
    expect(job['steps']).toEqual([
      { nodeId: 1, depth: 1, kind: 'code', reasoning: '# April: 48 clips', code: 'april = 48\nprint(april)', output: '48', errorKind: null, answer: null, q: 0.9, visits: 3, ppmScore: null },
      { nodeId: 3, depth: 2, kind: 'answer', reasoning: '# May is half: 24; total 72', code: 'print(april + april // 2)', output: '72', errorKind: null, answer: '72', q: 1, visits: 2, ppmScore: 0.87 },
    ]);
    expect(job['tree']).toMatchObject({ jobId: id, evaluator: 'ground-truth', answerNodeId: 3, bestTrajectory: [0, 1, 3], nodeCount: 4 });
    const tree = job['tree'] as { nodes: { id: number; errorKind: string | null }[]; edges: { from: number; to: number }[] };
    expect(tree.nodes.map((n) => n.id)).toEqual([0, 1, 2, 3]);
    expect(tree.nodes[2]?.errorKind).toBe('runtime');
    expect(tree.edges).toEqual([
      { from: 0, to: 1 },
      { from: 0, to: 2 },
      { from: 1, to: 3 },
    ]);
  });

  it("does not show a job to another client key, but does to an admin", async () => {
    const { id } = await solve({ problem: '2+2?' });
    const other = await gateway.issueKey();
    const hidden = await gateway.graphql('query J($id: ID!) { solveJob(id: $id) { id } }', { id }, { key: other.secret });
    expect(hidden.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const admin = await gateway.graphql('query J($id: ID!) { solveJob(id: $id) { id } }', { id }, { key: ADMIN_TOKEN });
    expect(admin.body.data).toEqual({ solveJob: { id } });
  });

  it('lists the jobs of a key page by page, with a status filter', async () => {
    const lister = await gateway.issueKey();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await solve({ problem: `${i} + 1?` }, lister.secret)).id);
    await gateway.stores.jobs.claim(ids[0]!, 'w');
    const page = 'query P($after: String, $status: JobStatus) { solveJobs(first: 2, after: $after, status: $status) { totalCount nodes { id status } pageInfo { hasNextPage endCursor } } }';
    const first = (await gateway.graphql(page, {}, { key: lister.secret })).body.data as {
      solveJobs: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    expect(first.solveJobs.totalCount).toBe(3);
    expect(first.solveJobs.nodes).toHaveLength(2);
    expect(first.solveJobs.pageInfo.hasNextPage).toBe(true);
    const second = (await gateway.graphql(page, { after: first.solveJobs.pageInfo.endCursor }, { key: lister.secret })).body.data as {
      solveJobs: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } };
    };
    expect(second.solveJobs.pageInfo.hasNextPage).toBe(false);
    expect([...first.solveJobs.nodes, ...second.solveJobs.nodes].map((n) => n.id).sort()).toEqual([...ids].sort());
    const running = (await gateway.graphql(page, { status: 'RUNNING' }, { key: lister.secret })).body.data as { solveJobs: { nodes: { id: string; status: string }[] } };
    expect(running.solveJobs.nodes).toEqual([{ id: ids[0], status: 'RUNNING' }]);

    const badCursor = await gateway.graphql(page, { after: 'garbage' }, { key: lister.secret });
    expect(badCursor.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    const tooMany = await gateway.graphql('{ solveJobs(first: 101) { totalCount } }', {}, { key: lister.secret });
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('solveProgress over graphql-ws', () => {
  const SUBSCRIBE = 'subscription P($id: ID!) { solveProgress(id: $id) { jobId status rolloutsDone rolloutsTotal bestAnswer bestQ answer answerQ error } }';
  const clients: Client[] = [];

  afterAll(() => {
    for (const c of clients) void c.dispose();
  });

  async function connect(connectionParams: Record<string, unknown>, onClosed?: (event: unknown) => void, lazy = true): Promise<Client> {
    const url = await gateway.wsUrl();
    const c = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy, ...(onClosed ? { on: { closed: onClosed } } : {}) });
    clients.push(c);
    return c;
  }

  it('sends the stored state, then the published events, then completes after SUCCEEDED', async () => {
    const { id } = await solve({ problem: QUESTION, budget: { rollouts: 4 } });
    const ws = await connect({ apiKey: key.secret });
    const events = ws.iterate<{ solveProgress: Record<string, unknown> }>({ query: SUBSCRIBE, variables: { id } });

    const first = await events.next();
    expect(first.value?.data?.solveProgress).toEqual({ jobId: id, status: 'QUEUED', rolloutsDone: 0, rolloutsTotal: 4, bestAnswer: null, bestQ: null, answer: null, answerQ: null, error: null });

    await gateway.stores.jobs.claim(id, 'worker-1');
    gateway.bus.publish({ jobId: id, status: searchV1.JobStatus.JOB_STATUS_RUNNING, rolloutsDone: 1, rolloutsTotal: 4, bestAnswer: '72', bestQ: 0.4 });
    const running = await events.next();
    expect(running.value?.data?.solveProgress).toMatchObject({ status: 'RUNNING', rolloutsDone: 1, bestAnswer: '72', bestQ: 0.4, answer: null });

    await gateway.stores.jobs.complete(id, 'worker-1', { report: finishedReport(QUESTION), policyModel: 'smollm2-135m' });
    gateway.bus.publish({ jobId: id, status: searchV1.JobStatus.JOB_STATUS_SUCCEEDED, rolloutsDone: 4, rolloutsTotal: 4, bestAnswer: '72', bestQ: 1 });
    const done = await events.next();
    expect(done.value?.data?.solveProgress).toMatchObject({ status: 'SUCCEEDED', rolloutsDone: 4, answer: '72', answerQ: 1 });
    expect((await events.next()).done).toBe(true);
  });

  it('sends only the stored state of a job that already ended', async () => {
    const { id } = await solve({ problem: '3+3?' });
    await gateway.stores.jobs.claim(id, 'w');
    await gateway.stores.jobs.fail(id, 'w', 'policy service unreachable');
    const ws = await connect({ authorization: `Bearer ${key.secret}` });
    const received: unknown[] = [];
    for await (const event of ws.iterate({ query: SUBSCRIBE, variables: { id } })) received.push(event.data);
    expect(received).toEqual([{ solveProgress: expect.objectContaining({ jobId: id, status: 'FAILED', error: 'policy service unreachable' }) as unknown }]);
  });

  it('reports an unknown job as NOT_FOUND with a correlation id', async () => {
    const ws = await connect({ apiKey: key.secret });
    const events = ws.iterate({ query: SUBSCRIBE, variables: { id: 'no-such-job' } });
    const result = await events.next().catch((error: unknown) => ({ value: { errors: error as unknown[] } }));
    const errors = (result.value as { errors?: { extensions: Record<string, unknown> }[] }).errors;
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errors?.[0]?.extensions['correlationId']).toBeTruthy();
  });

  it('closes a connection without a valid key with 4401 and the error code', async () => {
    for (const params of [{}, { apiKey: 'rsk_' + 'B'.repeat(43) }]) {
      let closed: { code: number; reason: string } | undefined;
      const ws = await connect(params, (event) => {
        closed = event as { code: number; reason: string };
      });
      const failure = await ws
        .iterate({ query: SUBSCRIBE, variables: { id: 'x' } })
        .next()
        .then(
          () => null,
          (error: unknown) => error as { code: number; reason: string },
        );
      expect(failure?.code ?? closed?.code).toBe(4401);
      expect(failure?.reason ?? closed?.reason).toMatch(/^UNAUTHENTICATED: /);
    }
  });

  it('counts the connection and each subscription against the rate limit', async () => {
    const limited = await gateway.issueKey({ rate: 2 });
    const { id } = await solve({ problem: '5+5?' });
    await gateway.stores.jobs.claim(id, 'w');
    await gateway.stores.jobs.fail(id, 'w', 'stopped');
    // One connection for both subscriptions (a lazy client would reconnect, and be refused at connect time).
    const ws = await connect({ apiKey: limited.secret }, undefined, false);
    const first = await ws.iterate({ query: SUBSCRIBE, variables: { id: 'no-such-job' } }).next().catch((error: unknown) => ({ value: { errors: error } }));
    expect(JSON.stringify(first.value)).toContain('NOT_FOUND');
    const second = await ws
      .iterate({ query: SUBSCRIBE, variables: { id } })
      .next()
      .then(
        () => null,
        (error: unknown) => error as { extensions: Record<string, unknown> }[],
      );
    expect(second?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 2 });
  });

  it('refuses a revoked key with API_KEY_REVOKED', async () => {
    const revoked = await gateway.issueKey();
    await gateway.stores.apiKeys.revoke(revoked.id);
    const ws = await connect({ apiKey: revoked.secret });
    const failure = await ws
      .iterate({ query: SUBSCRIBE, variables: { id: 'x' } })
      .next()
      .then(
        () => null,
        (error: unknown) => error as { code: number; reason: string },
      );
    expect(failure).toMatchObject({ code: 4401 });
    expect(failure?.reason).toMatch(/^API_KEY_REVOKED: /);
  });

});

describe('a queue that is down', () => {
  it('answers SERVICE_UNAVAILABLE and fails the job instead of leaving it queued', async () => {
    const broken = await TestGateway.start({}, { ports: { dispatcher: { enqueue: () => Promise.reject(new Error('no stream answered')) } } });
    try {
      const { secret } = await broken.issueKey();
      const res = await broken.graphql(SOLVE, { input: { problem: '1+1?' } }, { key: secret });
      expect(res.body.errors?.[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.errors?.[0]?.message).not.toContain('no stream answered');
      const page = await broken.stores.jobs.list({ first: 10 });
      expect(page.items).toHaveLength(1);
      // Abandoned as never queued: no worker (not even a pretend one) ever held it.
      expect(page.items[0]).toMatchObject({ status: 'failed', error: 'the job could not be queued', workerId: null, attempts: 0 });
    } finally {
      await broken.close();
    }
  });
});
