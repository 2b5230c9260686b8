import { parseSearchConfig } from '@rstar/mcts';
import type { SolveJobRecord } from '@rstar/persistence';
import { describe, expect, it } from 'vitest';
import { excerpt, formatJobDetails, formatJobIds, formatJobTable } from './job-printer.js';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

function job(fields: Partial<SolveJobRecord>): SolveJobRecord {
  return {
    id: '11111111-1111-4111-8111-111111111111', question: 'Natalia sold clips to 48 of her friends in April,\nand then she sold half as many clips in May.',
    referenceAnswer: null, problemId: null, config: parseSearchConfig({ rollouts: 4, width: 2 }), status: 'succeeded', attempts: 1, workerId: 'cli@host:7',
    answer: '72', answerQ: 0.5, rolloutsDone: 4, rolloutsTotal: 4, bestAnswer: '72', bestQ: 0.5, error: null, apiKeyId: null, correlationId: 'c',
    policyModel: 'smollm2-135m', elapsedMs: 2500, createdAt: new Date(2025, 5, 1, 14, 3, 59), startedAt: new Date(2025, 5, 1, 14, 4, 0),
    finishedAt: new Date(2025, 5, 1, 14, 4, 3), ...fields,
  };
}

describe('job printer', () => {
  it('cuts a question to one line with an ellipsis', () => {
    expect(excerpt('a\n  b', 10)).toBe('a b');
    expect(excerpt('abcdefghijkl', 5)).toBe('abcd…');
  });

  it('lists jobs in aligned columns, says when more exist', () => {
    const rows = [job({}), job({ id: '22222222-2222-4222-8222-222222222222', status: 'failed', answer: null, answerQ: null, bestAnswer: null, bestQ: null, rolloutsDone: 1, error: 'interrupted' })];
    const lines = strip(formatJobTable(rows, 5)).split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +CREATED +ANSWER +Q +ROLLOUTS +QUESTION$/);
    expect(lines[1]).toMatch(/^11111111-1111-4111-8111-111111111111 +succeeded +2025-06-01 14:03:59 +72 +0\.50 +4\/4 +Natalia sold clips to 48 of her friends in April,…$/);
    expect(lines[2]).toMatch(/^22222222-\S+ +failed +\S+ \S+ +- +- +1\/4 /);
    expect(lines[1]?.indexOf('Natalia')).toBe(lines[0]?.indexOf('QUESTION'));
    expect(lines[2]?.indexOf('Natalia')).toBe(lines[0]?.indexOf('QUESTION'));
    expect(lines[3]).toBe('(2 of 5 jobs; --limit for more)');
    expect(strip(formatJobTable([], 0))).toBe('No jobs.');
  });

  it('shows a job: status, times, question, answer, search and error', () => {
    const text = strip(formatJobDetails(job({ referenceAnswer: '72' })));
    expect(text).toMatch(/^Job: +11111111-/);
    expect(text).toContain('succeeded (attempt 1, worker cli@host:7)');
    expect(text).toContain('created 2025-06-01 14:03:59 · started 2025-06-01 14:04:00 · finished 2025-06-01 14:04:03 · search 2.5 s');
    expect(text).toMatch(/Reference: +72/);
    expect(text).toMatch(/Answer: +\\boxed\{72\} \(Q 0\.50\)/);
    expect(text).toMatch(/Search: +mcts · 4\/4 rollouts · width 2 · seed 0 · policy smollm2-135m/);
    expect(text).not.toContain('Error:');
    const failed = strip(formatJobDetails(job({ status: 'failed', answer: null, answerQ: null, bestAnswer: '7', bestQ: -0.2, error: 'interrupted' })));
    expect(failed).toMatch(/Answer: +best so far 7 \(Q -0\.20\)/);
    expect(failed).toMatch(/Error: +interrupted/);
    expect(strip(formatJobDetails(job({ answer: null, answerQ: null })))).toMatch(/Answer: +none found/);
  });

  it('names the stored jobs of a solve, the chosen tree first', () => {
    expect(formatJobIds(null, [])).toBeNull();
    expect(formatJobIds('a', ['a'])).toBe('Job: a');
    expect(strip(formatJobIds(null, [null]) ?? '')).toBe('Job: (not stored)');
    expect(formatJobIds('b', ['a', 'b', 'c'])).toBe('Jobs: b (the chosen tree), a, c');
  });
});
