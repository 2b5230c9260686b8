import { parseSearchConfig } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import type { ProblemSelection } from './benchmarks.js';
import type { EvalMethod } from './eval-method.js';
import { buildReport, type EvalReport, type ProblemResult } from './eval-report.js';
import { modelMetric } from './model-metric.js';

/** A report of `correct` right answers among `solved` finished problems out of `count`. */
function reportOf(
  method: EvalMethod,
  selection: ProblemSelection,
  correct: number,
  solved: number,
  count = solved,
  options: Record<string, number> = {},
): EvalReport {
  const results: ProblemResult[] = Array.from({ length: solved }, (_, i) => ({
    id: `p${i}`,
    reference: '1',
    answer: i < correct ? '1' : '2',
    correct: i < correct,
    q: null,
    votes: null,
    tokens: { prompt: 1, completion: 1 },
    policyRequests: 1,
    elapsedMs: 1,
    steps: [],
    finishedAt: '2026-12-07T00:00:00.000Z',
  }));
  const context = {
    benchmark: { name: 'gsm8k', path: '/data/gsm8k/test.jsonl' },
    selection,
    method,
    options: { benchmark: 'gsm8k', method, ...options },
    search: parseSearchConfig({}),
    model: { name: 'policy-r0', source: 'models/policy-r0', description: 'test' },
    grader: { name: 'math-verify', version: '0.8.0' },
    count,
    concurrency: 1,
    startedAt: '2026-12-07T00:00:00.000Z',
    sessionStartedAt: '2026-12-07T00:00:00.000Z',
    sessionSolved: solved,
    earlierWallMs: 0,
    codeVersion: 'abc',
    command: 'rstar eval --benchmark gsm8k',
  };
  return buildReport(context, results, new Date('2026-12-07T01:00:00.000Z'), 1000);
}

describe('modelMetric', () => {
  it('puts a finished greedy run at gsm8k.greedy with its accuracy, interval, size and command', () => {
    const measured = modelMetric(reportOf('greedy', { limit: 200, solutionLines: null }, 7, 200));
    expect(measured?.path).toEqual(['gsm8k', 'greedy']);
    expect(measured?.metric).toMatchObject({ accuracy: 0.035, correct: 7, problems: 200, benchmark: 'gsm8k, first 200', command: 'rstar eval --benchmark gsm8k' });
    expect(measured?.metric.ci95.low).toBeCloseTo(0.017, 3);
    expect(measured?.metric.evaluatedAt).toBe('2026-12-07T01:00:00.000Z');
  });

  it('keeps maj@k its k and makes a solution-lines selection a benchmark of its own', () => {
    const measured = modelMetric(reportOf('maj@k', { limit: null, solutionLines: 2 }, 1, 4, 4, { k: 8 }));
    expect(measured?.path).toEqual(['gsm8k-lines2', 'maj@8']);
    expect(measured?.metric.benchmark).toBe('gsm8k, solutions of 2 lines');
  });

  it('records nothing for a partial run', () => {
    expect(modelMetric(reportOf('greedy', { limit: 200, solutionLines: null }, 3, 10, 200))).toBeNull();
  });
});
