import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completedIds, readProblemFile, type ProblemLineError, type ProblemRecord, type ReadProblemOptions } from './problem-file.js';

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
    expect(errors[0]?.message).toMatch(/invalid JSON/);
    expect(errors[1]?.message).toMatch(/problem is empty/);
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

describe('completedIds', () => {
  it('collects ids of finished results and ignores a cut last line', () => {
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, '{"id": "a", "correct": true}\n{"id": "b"}\n{"id": "c", "answ');
    expect([...completedIds(out)]).toEqual(['a', 'b']);
    expect(completedIds(join(dir, 'missing.jsonl')).size).toBe(0);
  });
});
