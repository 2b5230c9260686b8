import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishedReport, TestGateway } from './harness.js';

// The same gateway on PostgreSQL (the deployment's database), in a fresh schema of its own: the gateway opens
// the database from RSTAR_DATABASE_URL and runs the migrations itself.

const BASE_URL = process.env['RSTAR_TEST_DATABASE_URL'] ?? 'postgresql://rstar:rstar@127.0.0.1:5432/rstar';
const schema = `gateway_test_${randomBytes(5).toString('hex')}`;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${BASE_URL} (${error instanceof Error ? error.message : String(error)}); start it with \`tools/infra up\``);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let gateway: TestGateway;
let secret: string;

beforeAll(async () => {
  await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = `${BASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  gateway = await TestGateway.start({ RSTAR_DATABASE_URL: url });
  secret = (await gateway.issueKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
});

describe('on PostgreSQL', () => {
  it('migrates into its schema', async () => {
    const tables = await admin((c) => c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]));
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['solve_jobs', 'api_keys', 'datasets', 'problems']));
  });

  it('imports a dataset, solves one of its problems and reads the finished job back', async () => {
    const imported = await gateway.graphql(
      'mutation I($jsonl: String!) { importDataset(name: "pg", jsonl: $jsonl) { dataset { id } inserted } }',
      { jsonl: '{"id": "a", "question": "6 times 7?", "answer": 42}\n{"id": "b", "question": "2+2?", "answer": 4}' },
      { key: secret },
    );
    const datasetId = (imported.body.data as { importDataset: { dataset: { id: string }; inserted: number } }).importDataset.dataset.id;
    const problems = await gateway.graphql('query D($id: ID!) { dataset(id: $id) { problems(first: 1) { nodes { id } pageInfo { hasNextPage endCursor } } } }', { id: datasetId }, { key: secret });
    const page = (problems.body.data as { dataset: { problems: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } } }).dataset.problems;
    expect(page.pageInfo.hasNextPage).toBe(true);

    const solved = await gateway.graphql('mutation S($p: ID!) { solve(input: { problemId: $p, budget: { rollouts: 4 } }) { id status referenceAnswer } }', { p: page.nodes[0]!.id }, { key: secret });
    const job = (solved.body.data as { solve: { id: string; status: string; referenceAnswer: string } }).solve;
    expect(job).toMatchObject({ status: 'QUEUED', referenceAnswer: '42' });
    expect((await gateway.takeJobs(1))[0]?.jobId).toBe(job.id);

    await gateway.stores.jobs.claim(job.id, 'w');
    await gateway.stores.jobs.complete(job.id, 'w', { report: finishedReport('6 times 7?'), policyModel: 'smollm2-135m' });
    const res = await gateway.graphql('query J($id: ID!) { solveJob(id: $id) { status answer steps { nodeId answer } tree { nodeCount } } }', { id: job.id }, { key: secret });
    expect(res.body.data).toEqual({ solveJob: { status: 'SUCCEEDED', answer: '72', steps: [{ nodeId: 1, answer: null }, { nodeId: 3, answer: '72' }], tree: { nodeCount: 4 } } });
  });
});
