import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, migrate, type SolveJobRecord } from '@rstar/persistence';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

/** A failure is one line on stderr naming the problem, and a non-zero exit; never a stack trace. */
function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp, code = 2): void {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('rstar bad input', () => {
  it('--help on every command', async () => {
    for (const args of [['--help'], ['solve', '--help'], ['grade', '--help'], ['jobs', '--help'], ['jobs', 'list', '--help'], ['jobs', 'show', '--help']]) {
      const r = await rstar(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: rstar/);
    }
    expect((await rstar(['solve', '--help'])).stdout).toMatch(/--rollouts <n>[\s\S]*--policy-url <url>[\s\S]*--database <url>[\s\S]*--no-store/);
  });

  it('refuses a database URL it cannot use before loading the model, without echoing a password', async () => {
    const r = await rstar(['solve', 'What is 1+1?', '--database', 'mysql://me:s3cret@db/x']);
    expectOneLineError(r, /^rstar: error: --database: unsupported database URL scheme "mysql"/);
    expect(r.stderr).not.toMatch(/s3cret|loading/);
    expectOneLineError(await rstar(['jobs', 'list'], undefined, { RSTAR_DATABASE_URL: 'redis://x' }), /--database: unsupported database URL scheme "redis"/);
  });

  it('refuses an empty problem', async () => {
    expectOneLineError(await rstar(['solve', '   ']), /the problem is empty/);
    expectOneLineError(await rstar(['solve']), /the problem is empty/);
  });

  it('refuses options out of range or of the wrong type', async () => {
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--rollouts', '0']), /--rollouts:/);
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--temperature', '7', '--width', '1000']), /--width:.*--temperature:|--temperature:.*--width:/);
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--rollouts', 'many']), /--rollouts must be a number/);
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--method', 'dfs']), /--method.*dfs/);
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--trees', '0']), /--trees/);
  });

  it('refuses a file that does not exist and conflicting arguments', async () => {
    expectOneLineError(await rstar(['solve', '--file', '/nonexistent/problems.jsonl']), /cannot read \/nonexistent\/problems.jsonl/);
    expectOneLineError(await rstar(['solve', 'x', '--file', 'a.jsonl']), /either a problem or --file/);
    expectOneLineError(await rstar(['solve', 'x', '--reward', 'ground-truth']), /needs --answer/);
  });

  it('names an unknown model in one line', async () => {
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--model', 'gpt-17']), /gpt-17/, 1);
  });

  it('says when the policy URL cannot be reached', async () => {
    expectOneLineError(await rstar(['solve', 'What is 1+1?', '--policy-url', 'http://127.0.0.1:9']), /127\.0\.0\.1:9/, 1);
  });
});

describe('rstar jobs errors', () => {
  it('names a missing or unreadable database and an unknown job in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-jobs-'));
    expectOneLineError(await rstar(['jobs', 'list', '--database', `sqlite:${join(dir, 'none.db')}`]), /no database at .*none\.db: nothing stored yet/, 1);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
    writeFileSync(join(dir, 'notes.db'), 'not a database\n'.repeat(100));
    expectOneLineError(await rstar(['jobs', 'show', 'x', '--database', `sqlite:${join(dir, 'notes.db')}`]), /cannot open database .*notes\.db: file is not a database/, 1);
    const empty = `sqlite:${join(dir, 'empty.db')}`;
    const dataSource = createDataSource(empty);
    await migrate(dataSource);
    await dataSource.destroy();
    expectOneLineError(await rstar(['jobs', 'show', '0000', '--database', empty]), /^rstar: error: no job 0000 in .*empty\.db$/m, 1);
    expectOneLineError(await rstar(['jobs', 'list', '--limit', '0', '--database', empty]), /--limit: expected an integer from 1 to 1000/);
    const none = await rstar(['jobs', 'list', '--json', '--database', empty]);
    expect(JSON.parse(none.stdout)).toEqual({ total: 0, jobs: [] });
  });
});

describe('rstar grade', () => {
  it('says whether two answers are equivalent, with the verdict in the exit status', async () => {
    const same = await rstar(['grade', '\\frac{1}{2}', '0.5']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^equivalent/);
    const different = await rstar(['grade', '3', '4', '--json']);
    expect(different.code).toBe(1);
    expect(JSON.parse(different.stdout)).toMatchObject({ equivalent: false });
  });
});

describe('rstar solve --trees', () => {
  it('runs independent searches and reports the vote', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'rstar-nostore-')), 'never.db');
    const args = ['solve', 'What is 2 + 3?', '--trees', '2', '--method', 'greedy', '--max-step-tokens', '48', '--max-depth', '3', '--json', '--no-store'];
    const r = await rstar(args, undefined, { RSTAR_DATABASE_URL: `sqlite:${dbFile}` });
    expect(r.code).toBe(0);
    expect(existsSync(dbFile)).toBe(false);
    const out = JSON.parse(r.stdout) as { finalAnswer: string | null; vote: { groups: unknown[] } | null; config: { seed: number }; jobId: string | null; jobIds: unknown[] };
    expect(out.jobId).toBeNull();
    expect(out.jobIds).toEqual([null, null]);
    expect(out).toHaveProperty('finalAnswer');
    expect(out).toHaveProperty('vote');
    if (out.vote) expect(out.vote.groups.length).toBeGreaterThan(0);
    else expect(out.finalAnswer).toBeNull();
  });
});

describe('rstar solve --file', () => {
  it('reports malformed lines with their numbers, solves the rest, and resumes from --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-batch-'));
    const file = join(dir, 'problems.jsonl');
    const out = join(dir, 'results.jsonl');
    writeFileSync(file, ['{"id": "p1", "problem": "What is 2 + 3?", "answer": "5"}', '{"id": "broken"', '{"id": "p3", "answer": "1"}'].join('\n'));
    const database = `sqlite:${join(dir, 'jobs.db')}`;
    const budget = ['--method', 'greedy', '--max-step-tokens', '48', '--max-depth', '3', '--database', database];
    const first = await rstar(['solve', '--file', file, '--out', out, ...budget]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/problems\.jsonl:2: not valid JSON/);
    expect(first.stderr).toMatch(/problems\.jsonl:3: needs a non-empty "problem" \(or "question"\) string/);
    const results = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; correct: boolean | null; answer: string | null; jobId: string });
    expect(results.map((r) => r.id)).toEqual(['p1']);
    expect(typeof results[0]?.correct).toBe('boolean');
    const listed = JSON.parse((await rstar(['jobs', 'list', '--json', '--database', database])).stdout) as { jobs: SolveJobRecord[] };
    expect(listed.jobs).toMatchObject([{ id: results[0]?.jobId, status: 'succeeded', question: 'What is 2 + 3?', referenceAnswer: '5', answer: results[0]?.answer }]);
    expect(first.stderr).toMatch(/solved 1, skipped 0 .* accuracy \d\/1/);

    const second = await rstar(['solve', '--file', file, '--out', out, ...budget]);
    expect(second.stderr).toMatch(/solved 0, skipped 1/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
    expect((JSON.parse((await rstar(['jobs', 'list', '--json', '--database', database])).stdout) as { total: number }).total).toBe(1);
  });
});
