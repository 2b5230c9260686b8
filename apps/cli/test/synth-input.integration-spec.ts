import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

describe('rstar synth bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rstar-synth-cli-'));

  it('has --help', async () => {
    const r = await rstar(['synth', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: rstar synth[\s\S]*--problems <path>[\s\S]*--round <n>[\s\S]*--policy-url <url>[\s\S]*--extra-rollouts <n>[\s\S]*--rollouts <n>/);
    expect((await rstar(['--help'])).stdout).toMatch(/synth \[options\]/);
  });

  it('refuses a missing file and bad numbers in one line each, before any model loads', async () => {
    const cases: [string[], RegExp][] = [
      [['--problems', '/nonexistent/problems.jsonl'], /^rstar: error: --problems: cannot read \/nonexistent\/problems\.jsonl: no such file$/m],
      [['--limit', '0'], /--limit: expected a positive integer/],
      [['--round', '-1'], /--round: expected an integer >= 0/],
      [['--extra-rollouts', '1.5'], /--extra-rollouts: expected an integer from 0 to 1024/],
      [['--temperature', '9'], /--temperature:/],
    ];
    for (const [args, pattern] of cases) {
      const r = await rstar(['synth', '--no-progress', '--no-store', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at |loading/);
    }
  });

  it('names each line without a reference answer, and refuses a file with no usable problem', async () => {
    const path = join(dir, 'no-answers.jsonl');
    writeFileSync(path, '{"id": "a", "problem": "1+1?"}\n{"id": "b", "question": "2+2?"}\n');
    const r = await rstar(['synth', '--no-progress', '--no-store', '--problems', path, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`${path}:1: answer: missing (a reference answer is needed to grade)`, `${path}:2: answer: missing (a reference answer is needed to grade)`, `rstar: error: ${path}: no usable problems`]);
  });
});
