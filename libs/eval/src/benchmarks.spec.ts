import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalInputError, loadProblems, resolveBenchmark, solutionLineCount } from './benchmarks.js';

const dataDir = mkdtempSync(join(tmpdir(), 'rstar-eval-data-'));
mkdirSync(join(dataDir, 'gsm8k'));
const gsm8k = join(dataDir, 'gsm8k', 'test.jsonl');
// Solutions of 2, 3, 2, 1, 2 lines.
const solutions = ['a = 1\nb = 2', 'a\nb\nc', 'x\n\ny\n', 'one line', 'p\nq'];
writeFileSync(gsm8k, solutions.map((solution, i) => JSON.stringify({ id: `g${i}`, problem: `Q${i}?`, answer: String(i), solution })).join('\n'));

describe('resolveBenchmark', () => {
  it('resolves names under the data directory and takes any path as a problem file', () => {
    expect(resolveBenchmark('gsm8k', dataDir)).toEqual({ name: 'gsm8k', path: gsm8k });
    expect(resolveBenchmark(gsm8k, '/elsewhere')).toEqual({ name: 'test', path: gsm8k });
  });

  it('refuses an unknown name, a missing file and a missing shared benchmark', () => {
    expect(() => resolveBenchmark('gsm9k', dataDir)).toThrow(/unknown benchmark "gsm9k": expected gsm8k, math500, aime24, amc23 or a \.jsonl problem file/);
    expect(() => resolveBenchmark('/nonexistent/p.jsonl', dataDir)).toThrow('cannot read /nonexistent/p.jsonl: no such file');
    expect(() => resolveBenchmark('aime24', dataDir)).toThrow(EvalInputError);
  });
});

describe('loadProblems', () => {
  const bench = { name: 'gsm8k', path: gsm8k };

  it('keeps the records whose solution has exactly N lines, then the first `limit` of them', async () => {
    const two = await loadProblems(bench, { limit: null, solutionLines: 2 });
    expect(two.map((r) => r.id)).toEqual(['g0', 'g2', 'g4']);
    expect((await loadProblems(bench, { limit: 2, solutionLines: 2 })).map((r) => r.id)).toEqual(['g0', 'g2']);
    expect((await loadProblems(bench, { limit: 3, solutionLines: null })).map((r) => r.id)).toEqual(['g0', 'g1', 'g2']);
    expect((await loadProblems(bench, { limit: null, solutionLines: null })).length).toBe(5);
    expect(solutionLineCount('x\n\ny\n')).toBe(2);
  });

  it('refuses records without an answer, by line, and a selection that is empty', async () => {
    const path = join(dataDir, 'no-answer.jsonl');
    writeFileSync(path, '{"id": "a", "problem": "1?", "answer": "1"}\n{"id": "b", "problem": "2?"}\n{"id": "c", "problem": "3?"}\n');
    await expect(loadProblems({ name: 'x', path }, { limit: null, solutionLines: null })).rejects.toThrow(`${path}:2: answer: missing (a reference answer is needed to grade) (and 1 more bad lines)`);
    await expect(loadProblems(bench, { limit: null, solutionLines: 7 })).rejects.toThrow('no problem selected');
  });

  it('needs a solution field for --solution-lines, and unique ids', async () => {
    const path = join(dataDir, 'plain.jsonl');
    writeFileSync(path, '{"id": "a", "problem": "1?", "answer": "1"}\n{"id": "a", "problem": "2?", "answer": "2"}\n');
    await expect(loadProblems({ name: 'x', path }, { limit: null, solutionLines: 2 })).rejects.toThrow(/record a has no "solution" field/);
    await expect(loadProblems({ name: 'x', path }, { limit: null, solutionLines: null })).rejects.toThrow(/id a appears more than once/);
  });
});
