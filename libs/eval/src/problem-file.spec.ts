import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completedIds, parseProblemLine, readProblemFile, type ProblemLineError, type ProblemRecord, type ReadProblemOptions } from './problem-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-eval-'));

async function readAll(content: string, options: ReadProblemOptions = {}) {
  const path = join(dir, `p-${Math.random()}.jsonl`);
  writeFileSync(path, content);
  const errors: ProblemLineError[] = [];
  const records: ProblemRecord[] = [];
  for await (const r of readProblemFile(path, (e) => errors.push(e), options)) records.push(r);
  return { records, errors };
}

describe('readProblemFile', () => {
  it('reads records, reports bad lines with their numbers, and keeps going', async () => {
    const { records, errors } = await readAll(
      [
        '{"id": "a", "problem": "1+1?", "answer": "2"}',
        '{not json',
        '',
        '{"id": "b", "problem": "   "}',
        '{"problem": "2+2?", "answer": 4}',
        '["array"]',
      ].join('\n'),
    );
    expect(records).toEqual([
      { id: 'a', problem: '1+1?', answer: '2' },
      { id: 'line-5', problem: '2+2?', answer: '4' },
    ]);
    expect(errors.map((e) => e.line)).toEqual([2, 4, 6]);
    expect(errors[0]?.message).toMatch(/^not valid JSON/);
    expect(errors[1]?.message).toBe('needs a non-empty "problem" (or "question") string');
    expect(errors[2]?.message).toBe('not a JSON object');
  });

  it('keeps the worked solution, and with requireAnswer reports a record without an answer by line', async () => {
    const { records, errors } = await readAll(
      ['{"id": "a", "problem": "1+1?", "answer": "2", "solution": "1 + 1 = 2"}', '{"id": "b", "problem": "3+3?"}', '{"id": "c", "problem": "x", "answer": " "}'].join('\n'),
      { requireAnswer: true },
    );
    expect(records).toEqual([{ id: 'a', problem: '1+1?', answer: '2', solution: '1 + 1 = 2' }]);
    expect(errors).toEqual([
      { line: 2, message: expect.stringMatching(/answer: missing/) },
      { line: 3, message: expect.stringMatching(/answer: missing/) },
    ]);
  });
});

describe('parseProblemLine', () => {
  it('takes "question" where "problem" is absent, numbers as text, and the limits it is given', () => {
    expect(parseProblemLine('{"id": 7, "question": " 2+2? ", "answer": 4}', 1)).toEqual({ id: '7', problem: '2+2?', answer: '4' });
    expect(parseProblemLine('{"problem": "x", "answer": "12345"}', 3, { limits: { maxAnswerChars: 4 } })).toBe('the answer is longer than 4 characters');
    expect(parseProblemLine('{"problem": "x", "solution": ["a"]}', 3)).toBe('"solution" must be a string or a number, not an array');
  });
});

describe('completedIds', () => {
  it('collects ids of finished results and ignores a cut last line', () => {
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, '{"id": "a", "correct": true}\n{"id": "b"}\n{"id": "c", "answ');
    expect([...completedIds(out)]).toEqual(['a', 'b']);
    expect(completedIds(join(dir, 'missing.jsonl')).size).toBe(0);
  });
});
