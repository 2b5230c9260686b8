import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completedIds, readProblemFile, type ProblemLineError, type ProblemRecord } from './problem-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-cli-'));

async function readAll(content: string) {
  const path = join(dir, `p-${Math.random()}.jsonl`);
  writeFileSync(path, content);
  const errors: ProblemLineError[] = [];
  const records: ProblemRecord[] = [];
  for await (const r of readProblemFile(path, (e) => errors.push(e))) records.push(r);
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
});

describe('completedIds', () => {
  it('collects ids of finished results and ignores a cut last line', () => {
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, '{"id": "a", "correct": true}\n{"id": "b"}\n{"id": "c", "answ');
    expect([...completedIds(out)]).toEqual(['a', 'b']);
    expect(completedIds(join(dir, 'missing.jsonl')).size).toBe(0);
  });
});
