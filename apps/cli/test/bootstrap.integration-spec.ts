import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SftManifestSchema, SftRecordSchema } from '@rstar/curation';
import { sharedDataDir } from '@rstar/workspace';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

const train = join(sharedDataDir(), 'gsm8k', 'train.jsonl');

describe('rstar bootstrap (real sandbox and math-verify grader)', () => {
  it('converts, runs and grades the first GSM8K train solutions into an SFT set, then registers it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rstar-bootstrap-'));
    const r = await rstar(['bootstrap', '--problems', train, '--limit', '24', '--out', out, '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = /problems 24 · converted (\d+) .* verified (\d+) .*· dropped (\d+)/.exec(r.stdout);
    expect(summary).not.toBeNull();
    const verified = Number(summary?.[2]);
    // Measured on the whole train set: 96.4% verified; gsm8k-train-0024 (a last line without annotation) is among these 24.
    expect(verified).toBeGreaterThanOrEqual(22);
    expect(Number(summary?.[3])).toBe(24 - verified);

    const records = readFileSync(join(out, 'sft.jsonl'), 'utf8').trim().split('\n').map((l) => SftRecordSchema.parse(JSON.parse(l)));
    expect(records).toHaveLength(verified);
    expect(records[0]?.problemId).toBe('gsm8k-train-0001');
    expect(records[0]?.completion).toContain('<output>72.0<end_of_output>\n<answer>The answer is \\boxed{72}.<end_of_answer>');
    const dropped = readFileSync(join(out, 'dropped.jsonl'), 'utf8').trim().split('\n').filter((l) => l !== '');
    expect(dropped).toHaveLength(24 - verified);

    const manifest = SftManifestSchema.parse(JSON.parse(readFileSync(join(out, 'sft.manifest.json'), 'utf8')));
    expect(manifest.records).toBe(verified);
    expect(manifest.command).toContain('bootstrap --problems');
    expect(manifest.specialTokens).toContain('<end_of_step>');
    expect(r.stdout).toMatch(new RegExp(`registered training set .+-sft \\(${verified} records\\)`));
    const listed = await rstar(['datasets', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`"recordCount": ${verified}`);
  });

  it('reports bad lines with their numbers, keeps the good ones, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-bootstrap-bad-'));
    const file = join(dir, 'problems.jsonl');
    const good = readFileSync(train, 'utf8').split('\n')[0] ?? '';
    writeFileSync(file, `${good}\n{not json\n{"id":"x","problem":"no answer here"}\n`);
    const r = await rstar(['bootstrap', '--problems', file, '--out', join(dir, 'out'), '--no-progress', '--no-store']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/problems\.jsonl:2: not valid JSON/);
    expect(r.stderr).toMatch(/problems\.jsonl:3: answer: missing/);
    expect(r.stdout).toMatch(/problems 1 · converted 1 \(100\.0%\) · verified 1/);
  });

  it('refuses a missing file and bad numbers with one line and exit 2', async () => {
    const missing = await rstar(['bootstrap', '--problems', '/nonexistent.jsonl', '--no-store']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^rstar: error: cannot read \/nonexistent\.jsonl: no such file\n$/);
    const limit = await rstar(['bootstrap', '--limit', '0', '--no-store']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--limit: expected a positive integer/);
  });
});
