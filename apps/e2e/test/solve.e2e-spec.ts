import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '@rstar/workspace';
import { E2eDeployment, GSM8K_FIRST } from './deployment.js';

interface SolveJobView {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  attempts: number;
  answer: string | null;
  rolloutsDone: number;
  rolloutsTotal: number;
  error: string | null;
  steps: { nodeId: number; kind: string; reasoning: string; code: string; output: string | null; q: number; visits: number }[];
  tree: { nodeCount: number; nodes: { id: number }[]; edges: { from: number; to: number }[] } | null;
}

interface ProgressEvent {
  jobId: string;
  status: SolveJobView['status'];
  rolloutsDone: number;
  rolloutsTotal: number;
  bestAnswer: string | null;
  bestQ: number | null;
}

const JOB_FIELDS = 'id status attempts answer rolloutsDone rolloutsTotal error steps { nodeId kind reasoning code output q visits } tree { nodeCount nodes { id } edges { from to } }';
const SOLVE = `mutation($input: SolveInput!) { solve(input: $input) { id status } }`;

let deployment: E2eDeployment;
let client: { id: string; prefix: string; secret: string };
let problemId: string;

async function waitForJob(id: string, done: (job: SolveJobView) => boolean, timeoutMs: number): Promise<SolveJobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { solveJob } = await deployment.ok<{ solveJob: SolveJobView }>(client.secret, `query($id: ID!) { solveJob(id: $id) { ${JOB_FIELDS} } }`, { id });
    if (done(solveJob)) return solveJob;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${solveJob.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Collects a job's progress events over graphql-ws until the subscription completes. */
function subscribeProgress(id: string, onEvent: (e: ProgressEvent) => void = () => undefined): Promise<ProgressEvent[]> {
  const ws = deployment.wsClient(client.secret);
  const events: ProgressEvent[] = [];
  return new Promise<ProgressEvent[]>((resolve, reject) => {
    ws.subscribe<{ solveProgress: ProgressEvent }>(
      { query: 'subscription($id: ID!) { solveProgress(id: $id) { jobId status rolloutsDone rolloutsTotal bestAnswer bestQ } }', variables: { id } },
      {
        next: (msg) => {
          if (msg.errors) return reject(new Error(JSON.stringify(msg.errors)));
          events.push(msg.data!.solveProgress);
          onEvent(msg.data!.solveProgress);
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => resolve(events),
      },
    );
  }).finally(() => void ws.dispose());
}

beforeAll(async () => {
  deployment = await E2eDeployment.start();
  client = await deployment.issueKey('e2e-tutor');
  // The problem comes in through a dataset import, as a tutoring product would load its problems.
  const line = readFileSync(join(sharedDataDir(), 'gsm8k', 'test.jsonl'), 'utf8').split('\n')[0]!;
  const imported = await deployment.ok<{ importDataset: { inserted: number; dataset: { id: string } } }>(
    deployment.adminToken,
    'mutation($jsonl: String!) { importDataset(name: "gsm8k-e2e", jsonl: $jsonl) { inserted dataset { id } } }',
    { jsonl: line },
  );
  expect(imported.importDataset.inserted).toBe(1);
  const page = await deployment.ok<{ dataset: { problems: { nodes: { id: string; externalId: string; answer: string }[] } } }>(
    client.secret,
    'query($id: ID!) { dataset(id: $id) { problems(first: 5) { nodes { id externalId answer } } } }',
    { id: imported.importDataset.dataset.id },
  );
  expect(page.dataset.problems.nodes[0]).toMatchObject({ externalId: GSM8K_FIRST.id, answer: GSM8K_FIRST.answer });
  problemId = page.dataset.problems.nodes[0]!.id;
});

afterAll(async () => {
  await deployment?.stop();
});

describe('the deployment solves a GSM8K problem with the real CPU model', () => {
  it('streams progress, stores the steps and the tree, and publishes the tree on Kafka', async () => {
    const { solve } = await deployment.ok<{ solve: { id: string; status: string } }>(client.secret, SOLVE, {
      input: { problemId, method: 'MCTS', budget: { rollouts: 2, width: 2 }, seed: 1 },
    });
    expect(solve.status).toBe('QUEUED');
    const events = await subscribeProgress(solve.id);

    // The subscription starts with the stored state and ends with the final event.
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ jobId: solve.id, status: 'SUCCEEDED', rolloutsTotal: 2 });
    expect(events.some((e) => e.status === 'RUNNING' && e.rolloutsDone >= 1)).toBe(true);

    const job = await waitForJob(solve.id, (j) => j.status === 'SUCCEEDED', 10_000);
    expect(job.rolloutsDone).toBe(2);
    expect(job.tree).not.toBeNull();
    expect(job.tree!.nodeCount).toBe(job.tree!.nodes.length);
    expect(job.tree!.edges.length).toBe(job.tree!.nodes.length - 1);
    if (job.answer !== null) {
      // A trajectory reached an answer: the steps lead from the root to it.
      expect(job.steps.length).toBeGreaterThan(0);
      expect(job.steps.every((s) => s.visits >= 1 && typeof s.q === 'number')).toBe(true);
    }
    expect(job.steps.every((s) => s.reasoning.length + s.code.length > 0)).toBe(true);

    // The tree is in PostgreSQL…
    const [stored] = await deployment.sql<{ node_count: number; nodes: string }>(
      'SELECT t.node_count, (SELECT count(*) FROM tree_nodes n WHERE n.job_id = t.job_id) AS nodes FROM search_trees t WHERE t.job_id = $1',
      [solve.id],
    );
    expect(Number(stored!.nodes)).toBe(job.tree!.nodeCount);

    // …and on trajectories.v1, keyed by the problem, with the correlation id of the request.
    const records = (await deployment.trajectoryRecords(problemId, solve.id)).filter((r) => r.value['jobId'] === solve.id);
    expect(records).toHaveLength(1);
    expect((records[0]!.value['nodes'] as unknown[]).length).toBe(job.tree!.nodeCount);
    expect(records[0]!.headers['x-correlation-id']).toMatch(/\S+/);

    // …and curated: the problem has a reference answer, so the tree is training data for the round.
    const curated = await curatedTrees(solve.id, 1);
    expect(curated[0]).toMatchObject({ problem_id: problemId, round: 1 });
  });
});

/** The curation rows of a job, once there are at least `atLeast` (the curation service consumes Kafka on its own time). */
async function curatedTrees(jobId: string, atLeast: number, timeoutMs = 60_000): Promise<{ problem_id: string; round: number; trace_count: number }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await deployment.sql<{ problem_id: string; round: number; trace_count: number }>('SELECT problem_id, round, trace_count FROM curated_trees WHERE job_id = $1', [jobId]);
    if (rows.length >= atLeast || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a synthesis run in the deployment', () => {
  it('searches the dataset with the ground truth and curates the tree into the run\'s round', async () => {
    const { startSynthesis } = await deployment.ok<{ startSynthesis: { id: string; problemCount: number } }>(
      deployment.adminToken,
      'mutation($input: StartSynthesisInput!) { startSynthesis(input: $input) { id problemCount } }',
      { input: { datasetId: (await deployment.sql<{ dataset_id: string }>('SELECT dataset_id FROM problems WHERE id = $1', [problemId]))[0]!.dataset_id, round: 4, limit: 1, budget: { rollouts: 2, width: 2 }, seed: 3 } },
    );
    expect(startSynthesis.problemCount).toBe(1);
    const RUN = 'query($id: ID!) { synthesisRun(id: $id) { progress { jobs { succeeded failed } curatedTrees finished } } }';
    type RunProgress = { synthesisRun: { progress: { jobs: { succeeded: number; failed: number }; curatedTrees: number; finished: boolean } } };
    const deadline = Date.now() + 300_000;
    let progress = (await deployment.ok<RunProgress>(deployment.adminToken, RUN, { id: startSynthesis.id })).synthesisRun.progress;
    while (!(progress.finished && progress.curatedTrees === progress.jobs.succeeded) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      progress = (await deployment.ok<RunProgress>(deployment.adminToken, RUN, { id: startSynthesis.id })).synthesisRun.progress;
    }
    expect(progress).toMatchObject({ jobs: { succeeded: 1, failed: 0 }, curatedTrees: 1, finished: true });
    const [curated] = await deployment.sql<{ round: number }>('SELECT c.round FROM curated_trees c JOIN synthesis_run_jobs r ON r.job_id = c.job_id WHERE r.run_id = $1', [startSynthesis.id]);
    expect(curated).toMatchObject({ round: 4 });
  });
});

describe('a search worker killed in the middle of a job', () => {
  it('leaves the job to the next worker, which completes it exactly once', async () => {
    const { solve } = await deployment.ok<{ solve: { id: string } }>(client.secret, SOLVE, {
      input: { problemId, method: 'MCTS', budget: { rollouts: 3, width: 2 }, seed: 2 },
    });
    const kill: { done: Promise<void> | null } = { done: null };
    const events = subscribeProgress(solve.id, (e) => {
      // Kill the worker (SIGKILL: no shutdown hooks, no release) once the job is under way.
      if (kill.done === null && e.status === 'RUNNING' && e.rolloutsDone >= 1) kill.done = deployment.stack.kill('search', 'SIGKILL');
    });
    await waitForJob(solve.id, () => kill.done !== null, 300_000);
    await kill.done;
    const orphaned = await waitForJob(solve.id, () => true, 1000);
    expect(orphaned.status).toBe('RUNNING');
    expect(orphaned.attempts).toBe(1);

    await deployment.restart('search');
    const final = (await events).at(-1);
    expect(final).toMatchObject({ status: 'SUCCEEDED', rolloutsTotal: 3 });
    const job = await waitForJob(solve.id, (j) => j.status === 'SUCCEEDED', 10_000);
    expect(job.attempts).toBe(2);

    const trees = await deployment.sql<{ n: string }>('SELECT count(*) AS n FROM search_trees WHERE job_id = $1', [solve.id]);
    expect(Number(trees[0]!.n)).toBe(1);
    const records = (await deployment.trajectoryRecords(problemId, solve.id)).filter((r) => r.value['jobId'] === solve.id);
    expect(records).toHaveLength(1);

    // The curation consumer killed too, and started again: the tree is curated exactly once.
    await curatedTrees(solve.id, 1);
    await deployment.stack.kill('curation', 'SIGKILL');
    await deployment.restart('curation');
    await new Promise((r) => setTimeout(r, 2000)); // a re-read record would be curated meanwhile
    expect(await curatedTrees(solve.id, 2, 0)).toHaveLength(1);
  });
});

describe('access and limits', () => {
  const HEALTH = '{ health { status } }';

  it('refuses a request without a key and one with a revoked key', async () => {
    const none = await deployment.graphql(null, HEALTH);
    expect(none.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const doomed = await deployment.issueKey('e2e-doomed');
    expect((await deployment.graphql(doomed.secret, HEALTH)).errors).toEqual([]);
    await deployment.ok(deployment.adminToken, 'mutation($k: String!) { revokeApiKey(idOrPrefix: $k) { revokedAt } }', { k: doomed.prefix });
    const revoked = await deployment.graphql(doomed.secret, HEALTH);
    expect(revoked.errors[0]?.extensions?.code).toBe('API_KEY_REVOKED');
  });

  it('refuses an oversized problem, a too-deep query and a budget out of range', async () => {
    const big = await deployment.graphql(client.secret, SOLVE, { input: { problem: 'x'.repeat(5000) } });
    expect(big.errors[0]?.extensions?.code).toBe('INPUT_TOO_LARGE');
    const deep = await deployment.graphql(client.secret, '{ datasets { nodes { problems { nodes { dataset { problems { nodes { dataset { problems { nodes { id } } } } } } } } } } }');
    expect(deep.errors[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    const budget = await deployment.graphql(client.secret, SOLVE, { input: { problem: 'What is 1+1?', budget: { rollouts: 100000, width: 2 } } });
    expect(budget.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses a burst over a key rate limit while another key is served', async () => {
    const limited = await deployment.issueKey('e2e-limited', 5);
    const replies = await Promise.all(Array.from({ length: 8 }, () => deployment.graphql(limited.secret, HEALTH)));
    const refused = replies.filter((r) => r.errors[0]?.extensions?.code === 'RATE_LIMITED');
    expect(replies.length - refused.length).toBe(5);
    expect(refused).toHaveLength(3);
    expect((await deployment.graphql(client.secret, HEALTH)).errors).toEqual([]);
  });
});
