import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

/** A failure is one line on stderr naming the problem, and exit 2; never a stack trace, never a model load. */
function expectUsageError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |loading/);
}

describe('rstar eval bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rstar-eval-cli-'));

  it('has --help', async () => {
    const r = await rstar(['eval', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: rstar eval[\s\S]*--benchmark <name\|file>[\s\S]*--solution-lines <n>[\s\S]*--concurrency <n>[\s\S]*--rollouts <n>/);
    expect((await rstar(['--help'])).stdout).toMatch(/eval \[options\]/);
  });

  it('refuses an unknown benchmark, a missing file and bad numbers', async () => {
    expectUsageError(await rstar(['eval', '--benchmark', 'gsm9k']), /^rstar: error: unknown benchmark "gsm9k": expected gsm8k, math500, aime24, amc23 or a \.jsonl problem file$/m);
    expectUsageError(await rstar(['eval', '--benchmark', '/nonexistent/problems.jsonl']), /^rstar: error: cannot read \/nonexistent\/problems\.jsonl: no such file$/m);
    expectUsageError(await rstar(['eval', '--benchmark', 'gsm8k', '--limit', '0']), /--limit: expected an integer/);
    expectUsageError(await rstar(['eval', '--benchmark', 'gsm8k', '--temperature', '9']), /--temperature:/);
    expectUsageError(await rstar(['eval', '--benchmark', 'gsm8k', '--method', 'mcts', '--k', '4']), /--k: only maj@k votes on k samples \(mcts takes --rollouts/);
    const r = await rstar(['eval', '--method', 'greedy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '-b, --benchmark/);
  });

  it('names the line of a record without an answer', async () => {
    const path = join(dir, 'no-answer.jsonl');
    writeFileSync(path, '{"id": "a", "problem": "1+1?", "answer": "2"}\n{"id": "b", "problem": "2+2?"}\n');
    expectUsageError(await rstar(['eval', '--benchmark', path, '--out', join(dir, 'out-a')]), new RegExp(`${path}:2: answer: missing`));
  });

  it('refuses to resume a run made with other options, naming the flag', async () => {
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, '{"id": "a", "problem": "1+1?", "answer": "2"}\n');
    const out = join(dir, 'out-b');
    mkdirSync(out);
    // A run directory recorded by an earlier `--method greedy` run.
    writeFileSync(
      join(out, 'run.json'),
      JSON.stringify({
        schema: 'rstar.eval-run.v1',
        createdAt: '2026-01-01T00:00:00.000Z',
        options: { benchmark: 'ok', benchmarkFile: path, limit: null, solutionLines: null, method: 'greedy', model: 'smollm2-135m', policyUrl: null, policyModel: null, maxDepth: 16, maxConsecutiveErrors: 2, endOnRepeatedStep: true, maxStepTokens: 256, promptStyle: 'few-shot' },
      }),
    );
    expectUsageError(await rstar(['eval', '--benchmark', path, '--model', 'smollm2-135m', '--out', out, '--max-errors', '3']), new RegExp(`${out} holds a run made with --max-errors 2, not 3`));
  });
});
