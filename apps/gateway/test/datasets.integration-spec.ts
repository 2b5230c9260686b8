import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, finishedReport, TestGateway } from './harness.js';

// Datasets, problems, trajectories of a problem, and the model registry.

const IMPORT = `mutation Import($name: String!, $jsonl: String!) { importDataset(name: $name, jsonl: $jsonl) {
  dataset { id name source problemCount } inserted skipped rejectedCount rejected { line message }
} }`;

const PROBLEMS = `query Problems($id: ID!, $after: String) { dataset(id: $id) { name problemCount
  problems(first: 2, after: $after) { totalCount nodes { id externalId question answer datasetId } pageInfo { hasNextPage endCursor } }
} }`;

interface ImportResult {
  dataset: { id: string; name: string; source: string; problemCount: number };
  inserted: number;
  skipped: number;
  rejectedCount: number;
  rejected: { line: number; message: string }[];
}

let gateway: TestGateway;
let secret: string;

beforeAll(async () => {
  gateway = await TestGateway.start({ RSTAR_MAX_PROBLEM_CHARS: '300' });
  secret = (await gateway.issueKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
});

const jsonl = [
  '{"id": "gsm-1", "question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?", "answer": 72}',
  '{"id": "gsm-2", "problem": "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?", "answer": "10"}',
  'this is not json',
  '{"id": "gsm-3", "question": "What is 6 times 7?"}',
  '',
  '{"id": "gsm-4"}',
  `{"id": "gsm-5", "question": "${'long '.repeat(100)}"}`,
  '{"question": "What is 1 + 1?", "answer": 2}',
].join('\n');

async function importJsonl(name: string, text: string): Promise<ImportResult> {
  const res = await gateway.graphql(IMPORT, { name, jsonl: text }, { key: secret });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { importDataset: ImportResult }).importDataset;
}

describe('importDataset', () => {
  it('imports the valid lines and reports the bad ones by line number', async () => {
    const result = await importJsonl('gsm8k-sample', jsonl);
    expect(result).toMatchObject({ dataset: { name: 'gsm8k-sample', source: 'graphql', problemCount: 4 }, inserted: 4, skipped: 0, rejectedCount: 3 });
    expect(result.rejected.map((r) => r.line)).toEqual([3, 6, 7]);
    expect(result.rejected[2]?.message).toMatch(/limit is 300/);

    // Importing again adds nothing: the same ids are skipped.
    const again = await importJsonl('gsm8k-sample', jsonl);
    expect(again).toMatchObject({ inserted: 0, skipped: 4, dataset: { id: result.dataset.id, problemCount: 4 } });
  });

  it('refuses a file with no valid line, naming the lines', async () => {
    const res = await gateway.graphql(IMPORT, { name: 'broken', jsonl: 'nope\n{"answer": 1}' }, { key: secret });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'jsonl',
      lines: [expect.objectContaining({ line: 1 }), expect.objectContaining({ line: 2 })],
    });
    const empty = await gateway.graphql(IMPORT, { name: 'empty', jsonl: '\n\n' }, { key: secret });
    expect(empty.body.errors?.[0]?.message).toBe('jsonl holds no problems');
  });

  it('pages through datasets and their problems in import order', async () => {
    const { dataset } = await importJsonl('paging', jsonl);
    await importJsonl('paging-2', '{"question": "2+2?"}');

    const datasets = (await gateway.graphql('{ datasets(first: 50) { totalCount nodes { name } } }', {}, { key: secret })).body.data as {
      datasets: { totalCount: number; nodes: { name: string }[] };
    };
    expect(datasets.datasets.nodes.map((d) => d.name)).toEqual(expect.arrayContaining(['paging', 'paging-2']));
    const onePerPage = (await gateway.graphql('{ datasets(first: 1) { nodes { name } pageInfo { hasNextPage endCursor } } }', {}, { key: secret })).body.data as {
      datasets: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } };
    };
    expect(onePerPage.datasets.nodes).toHaveLength(1);
    expect(onePerPage.datasets.pageInfo.hasNextPage).toBe(true);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res = await gateway.graphql(PROBLEMS, { id: dataset.id, after }, { key: secret });
      expect(res.body.errors).toBeUndefined();
      const data = (res.body.data as { dataset: { problemCount: number; problems: { totalCount: number; nodes: { externalId: string; datasetId: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } }).dataset;
      expect(data.problems.totalCount).toBe(4);
      expect(data.problems.nodes.every((n) => n.datasetId === dataset.id)).toBe(true);
      seen.push(...data.problems.nodes.map((n) => n.externalId));
      if (!data.problems.pageInfo.hasNextPage) break;
      after = data.problems.pageInfo.endCursor;
    }
    expect(seen).toEqual(['gsm-1', 'gsm-2', 'gsm-3', 'line-8']);
  });

  it('reads one problem, with its dataset', async () => {
    const { dataset } = await importJsonl('single', '{"id": "q1", "question": "What is 6 times 7?", "answer": 42}');
    const page = await gateway.stores.datasets.problems(dataset.id, { first: 10 });
    const id = page.items[0]!.id;
    const res = await gateway.graphql('query P($id: ID!) { problem(id: $id) { id question answer externalId dataset { name } } }', { id }, { key: secret });
    expect(res.body.data).toEqual({ problem: { id, question: 'What is 6 times 7?', answer: '42', externalId: 'q1', dataset: { name: 'single' } } });
    const missing = await gateway.graphql('{ problem(id: "nope") { id } }', {}, { key: secret });
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await gateway.graphql('{ dataset(id: "nope") { id } }', {}, { key: secret })).body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });
});

describe('solving a dataset problem', () => {
  it("uses the problem's text and answer, and lists the finished tree among the problem's trajectories", async () => {
    const { dataset } = await importJsonl('solve-me', '{"id": "n1", "question": "Natalia sold 48 clips in April and half as many in May. How many in all?", "answer": 72}');
    const problem = (await gateway.stores.datasets.problems(dataset.id, { first: 1 })).items[0]!;
    const res = await gateway.graphql('mutation S($input: SolveInput!) { solve(input: $input) { id question problemId referenceAnswer } }', { input: { problemId: problem.id } }, { key: secret });
    const job = (res.body.data as { solve: { id: string; question: string; problemId: string; referenceAnswer: string } }).solve;
    expect(job).toMatchObject({ question: problem.question, problemId: problem.id, referenceAnswer: '72' });

    const none = await gateway.graphql('query T($p: ID!) { trajectories(problemId: $p) { jobId } }', { p: problem.id }, { key: secret });
    expect(none.body.data).toEqual({ trajectories: [] });

    await gateway.stores.jobs.claim(job.id, 'w');
    await gateway.stores.jobs.complete(job.id, 'w', { report: finishedReport(problem.question), policyModel: 'smollm2-135m' });
    const trees = await gateway.graphql('query T($p: ID!) { trajectories(problemId: $p, first: 5) { jobId answerNodeId nodeCount edges { from to } } }', { p: problem.id }, { key: secret });
    expect(trees.body.data).toEqual({ trajectories: [{ jobId: job.id, answerNodeId: 3, nodeCount: 4, edges: [{ from: 0, to: 1 }, { from: 0, to: 2 }, { from: 1, to: 3 }] }] });
  });
});

describe('models', () => {
  it('registers models (admin) and lists them by kind', async () => {
    const register = 'mutation R($input: RegisterModelInput!) { registerModel(input: $input) { id name kind uri round metadataJson } }';
    const input = { name: 'qwen-policy-r1', kind: 'POLICY', uri: 'http://vllm-policy:8000', round: 1, metadataJson: '{"base": "qwen2.5-math-7b"}' };
    expect((await gateway.graphql(register, { input }, { key: secret })).body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');

    const res = await gateway.graphql(register, { input }, { key: ADMIN_TOKEN });
    expect(res.body.data).toMatchObject({ registerModel: { name: 'qwen-policy-r1', kind: 'POLICY', round: 1, metadataJson: '{"base":"qwen2.5-math-7b"}' } });
    await gateway.graphql(register, { input: { name: 'ppm-r1', kind: 'PPM', uri: 'http://vllm-ppm:8000' } }, { key: ADMIN_TOKEN });

    const policies = await gateway.graphql('{ models(kind: POLICY) { name kind } }', {}, { key: secret });
    expect(policies.body.data).toEqual({ models: [{ name: 'qwen-policy-r1', kind: 'POLICY' }] });
    const all = (await gateway.graphql('{ models { name } }', {}, { key: secret })).body.data as { models: { name: string }[] };
    expect(all.models.map((m) => m.name).sort()).toEqual(['ppm-r1', 'qwen-policy-r1']);

    const badMetadata = await gateway.graphql(register, { input: { ...input, metadataJson: '[1]' } }, { key: ADMIN_TOKEN });
    expect(badMetadata.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.metadataJson' });
  });
});
