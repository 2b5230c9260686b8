import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchConfig } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { EqualityGrader, TablePolicy, UnusedSandbox } from '../test/doubles.js';
import type { EvalReport, ProblemResult } from './eval-report.js';
import type { EvalMethod } from './eval-method.js';
import { runEvaluation, type EvalProgress, type EvalRunOptions } from './eval-run.js';
import { RunOptionsMismatchError, type EvalRunSpec } from './run-options.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-eval-run-'));

const numberIn = (question: string): number => Number(/What is (\d+)\+/.exec(question)?.[1]);

/** Eight problems "What is i+i?"; by default the policy is right on the ids in `known` and says -1 otherwise. */
function fixture(known: readonly number[], method: EvalMethod = 'greedy', k = 3, answers?: (question: string, index: number) => string) {
  const path = join(dir, `bench-${Math.random().toString(36).slice(2)}.jsonl`);
  const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `p${i}`, problem: `What is ${i}+${i}?`, answer: String(2 * i) }));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const policy = new TablePolicy(answers ?? ((question) => (known.includes(numberIn(question)) ? String(2 * numberIn(question)) : '-1')));
  const spec: EvalRunSpec = {
    benchmark: { name: 'bench', path },
    selection: { limit: null, solutionLines: null },
    plan: { method, k, search: parseSearchConfig({ promptStyle: 'sft' }) },
    model: { model: 'scripted', policyUrl: null, policyModel: null },
  };
  const outDir = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const options: EvalRunOptions = {
    outDir,
    concurrency: 2,
    model: { name: 'scripted', source: 'test', description: 'scripted policy' },
    grader: { name: 'equality', version: '0' },
    codeVersion: 'abc',
    command: 'rstar eval (test)',
  };
  const deps = { policy, sandbox: new UnusedSandbox(), grader: new EqualityGrader() };
  return { spec, options, deps, policy, outDir };
}

const readResults = (outDir: string): ProblemResult[] =>
  readFileSync(join(outDir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ProblemResult);

describe('runEvaluation', () => {
  it('gives the exact accuracy and Wilson interval of a policy right on known problems', async () => {
    const { spec, options, deps, policy, outDir } = fixture([1, 4, 6]);
    const { report, resumed, interrupted } = await runEvaluation(spec, deps, options);
    expect(report).toMatchObject({ count: 8, solved: 8, correct: 3, accuracy: 3 / 8, complete: true, method: 'greedy' });
    // Hand-computed: p = 0.375, z² = 3.8415, centre = (0.375 + 0.24009)/1.48018 = 0.41555,
    // half = 1.95996/1.48018 · sqrt(0.029297 + 0.015006) = 0.27867.
    expect(report.ci95.low).toBeCloseTo(0.13683, 4);
    expect(report.ci95.high).toBeCloseTo(0.69425, 4);
    expect(resumed).toBe(0);
    expect(interrupted).toBe(false);
    expect(policy.calls).toBe(8);
    // Tokens are the policy's usage: 5 completion tokens per greedy request.
    expect(report.tokens.completion).toBe(40);
    const results = readResults(outDir);
    expect(results.filter((r) => r.correct).map((r) => r.id).sort()).toEqual(['p1', 'p4', 'p6']);
    expect(results.find((r) => r.id === 'p4')).toMatchObject({ reference: '8', answer: '8', steps: [{ text: expect.stringContaining('\\boxed{8}') }] });
    const saved = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as EvalReport;
    expect(saved).toMatchObject({ correct: 3, grader: { name: 'equality', version: '0' }, codeVersion: 'abc', options: { method: 'greedy' } });
    expect('temperature' in saved.options).toBe(false);
    expect(saved.search.temperature).toBe(0);
    expect(readFileSync(join(outDir, 'report.md'), 'utf8')).toMatch(/37\.5% \(3\/8\)[\s\S]*13\.7% – 69\.4%/);
  });

  it('resumes an interrupted run without solving finished problems again', async () => {
    const { spec, options, deps, policy, outDir } = fixture([0, 2, 3, 7]);
    const abort = new AbortController();
    const first = await runEvaluation(spec, deps, {
      ...options,
      concurrency: 1,
      signal: abort.signal,
      onProgress: (p: EvalProgress) => {
        if (p.done === 3) abort.abort(new Error('interrupted'));
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.report).toMatchObject({ solved: 3, complete: false });
    expect(policy.calls).toBe(3);
    expect(readFileSync(join(outDir, 'report.md'), 'utf8')).toMatch(/Partial run: 3 of 8/);

    // A kill can leave a cut last line: that problem is solved again and the file stays one result per line.
    writeFileSync(join(outDir, 'results.jsonl'), `${readFileSync(join(outDir, 'results.jsonl'), 'utf8')}{"id": "p3", "corr`);
    const second = await runEvaluation(spec, deps, options);
    expect(second.resumed).toBe(3);
    expect(second.report.timing.totalWallMs).toBeGreaterThanOrEqual(first.report.timing.totalWallMs);
    expect(second.report.timing.sessionSolved).toBe(5);
    expect(policy.calls).toBe(8);
    expect(policy.questions.filter((q) => q.startsWith('What is 0+')).length).toBe(1);
    expect(second.report).toMatchObject({ solved: 8, correct: 4, complete: true });
    const ids = readResults(outDir).map((r) => r.id);
    expect(ids.sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);

    // Nothing is left to do: a third run solves nothing.
    await runEvaluation(spec, deps, options);
    expect(policy.calls).toBe(8);
  });

  it('refuses to resume with different options, naming the option', async () => {
    const { spec, options, deps, outDir } = fixture([1]);
    await runEvaluation({ ...spec, selection: { limit: 2, solutionLines: null } }, deps, options);
    const attempt = runEvaluation({ ...spec, selection: { limit: 2, solutionLines: null }, plan: { ...spec.plan, method: 'mcts' } }, deps, options);
    await expect(attempt).rejects.toBeInstanceOf(RunOptionsMismatchError);
    await expect(attempt).rejects.toThrow(`${outDir} holds a run made with method=greedy, not mcts`);
    await expect(runEvaluation(spec, deps, options)).rejects.toThrow(/limit=2, not \(none\)/);
    // Greedy decodes at temperature 0 whatever is asked, so the temperature is not part of its options.
    const hotter = { ...spec, selection: { limit: 2, solutionLines: null }, plan: { ...spec.plan, search: { ...spec.plan.search, temperature: 1.3 } } };
    await expect(runEvaluation(hotter, deps, options)).resolves.toMatchObject({ resumed: 2 });
  });

  it('maj@k samples k trajectories and takes the majority answer', async () => {
    // Candidates 0 and 1 say -1, candidates 2-4 say the right answer: the majority (3 of 5) is right.
    const { spec, options, deps, policy, outDir } = fixture([], 'maj@k', 5, (q, i) => (i < 2 ? '-1' : String(2 * numberIn(q))));
    const { report } = await runEvaluation({ ...spec, selection: { limit: 3, solutionLines: null } }, deps, options);
    expect(report).toMatchObject({ solved: 3, correct: 3, search: { method: 'best-of-n', rollouts: 5 }, options: { method: 'maj@k', k: 5 } });
    expect(policy.calls).toBe(3);
    const p2 = readResults(outDir).find((r) => r.id === 'p2');
    expect(p2?.votes).toEqual([
      { answer: '4', members: 3 },
      { answer: '-1', members: 2 },
    ]);
    expect(existsSync(join(outDir, 'run.json'))).toBe(true);
  });

  it('stops on a failing policy with the problem named, keeping what finished', async () => {
    const { spec, options, deps, outDir } = fixture([0]);
    let calls = 0;
    const failing = {
      ...deps,
      policy: {
        complete: (...args: Parameters<TablePolicy['complete']>) => (++calls === 2 ? Promise.reject(new Error('server gone')) : deps.policy.complete(...args)),
      },
    };
    await expect(runEvaluation(spec, failing, { ...options, concurrency: 1 })).rejects.toThrow('problem p1: server gone');
    expect(readResults(outDir).map((r) => r.id)).toEqual(['p0']);
  });
});
