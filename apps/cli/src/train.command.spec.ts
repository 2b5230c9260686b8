import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-errors.js';
import { trainerArgs, validateTrainOptions, type TrainPolicyOptions } from './train.command.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-train-'));
const data = join(dir, 'sft.jsonl');
writeFileSync(data, '{}\n');
const hf = join(dir, 'hf');
const base: TrainPolicyOptions = { data, out: join(dir, 'policy'), resume: true, gguf: true, store: false };

function problem(options: Partial<TrainPolicyOptions>): string {
  try {
    validateTrainOptions({ ...base, ...options });
  } catch (error) {
    if (error instanceof CliUsageError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('rstar train policy options', () => {
  it('names a missing data file, config file or base model in one line', () => {
    expect(problem({ data: join(dir, 'none.jsonl') })).toBe(`--data: cannot read ${join(dir, 'none.jsonl')}: no such file`);
    expect(problem({ data: undefined })).toMatch(/^--data: required/);
    expect(problem({ config: join(dir, 'none.yaml') })).toMatch(/^--config: cannot read/);
    expect(problem({ base: 'gpt-17' })).toMatch(/^--base: 'gpt-17' is neither/);
    expect(problem({ base: hf })).toMatch(/^--base: .* is neither/);
    expect(problem({ base: join(dir, 'none.gguf') })).toMatch(/^--base: model file not found/);
    expect(problem({ out: data })).toMatch(/^--out: .* is not a directory/);
  });

  it('refuses numbers out of range', () => {
    expect(problem({ loraR: 0 })).toBe('--lora-r: expected an integer >= 1');
    expect(problem({ batchSize: 1.5 })).toBe('--batch-size: expected an integer >= 1');
    expect(problem({ maxSteps: -1 })).toBe('accepted');
    expect(problem({ maxSteps: 0 })).toBe('--max-steps: expected an integer >= 1');
    expect(problem({ epochs: 0 })).toBe('--epochs: expected a number > 0');
    expect(problem({ lr: -1 })).toBe('--lr: expected a number > 0');
    expect(problem({ store: true, database: 'mysql://x/y' })).toMatch(/^--database: unsupported database URL scheme/);
  });

  it('forwards only the options given, in the dash form of the trainer flags', () => {
    expect(trainerArgs(base)).toEqual(['-m', 'rstar_trainer', '--out', base.out, '--data', data]);
    const args = trainerArgs({ ...base, method: 'full', lr: 1e-4, maxSteps: 10, packing: true, resume: false, gguf: false, config: 'c.yaml' });
    expect(args).toEqual(['-m', 'rstar_trainer', '--out', base.out, '--config', 'c.yaml', '--data', data, '--method', 'full', '--max-steps', '10', '--learning-rate', '0.0001', '--packing', '--no-resume', '--no-gguf']);
  });
});
