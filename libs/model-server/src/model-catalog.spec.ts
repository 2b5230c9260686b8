import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_NAME, MODEL_CATALOG, ModelNotFoundError, resolveModel } from './model-catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-models-'));
writeFileSync(join(dir, 'smollm2-135m-instruct.Q4_1.gguf'), 'not really a model');
writeFileSync(join(dir, 'custom.gguf'), 'x');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problem(run: () => unknown): ModelNotFoundError {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelNotFoundError) return error;
    throw error;
  }
  throw new Error('expected ModelNotFoundError');
}

describe('resolveModel', () => {
  it('resolves the default catalog name to its file', () => {
    expect(DEFAULT_MODEL_NAME).toBe('smollm2-135m');
    const model = resolveModel('smollm2-135m', dir);
    expect(model).toMatchObject({ name: 'smollm2-135m', path: join(dir, 'smollm2-135m-instruct.Q4_1.gguf') });
    expect(model.catalog?.defaultContextSize).toBe(4096);
  });

  it('says to run tools/setup when a known model is missing', () => {
    const error = problem(() => resolveModel('gemma3-270m', dir));
    expect(error.problem).toBe('missing_file');
    expect(error.message).toMatch(/^model 'gemma3-270m' is not installed .*run tools\/setup$/);
  });

  it('lists the known names for an unknown one', () => {
    const error = problem(() => resolveModel('llama-70b', dir));
    expect(error.problem).toBe('unknown_model');
    expect(error.message).toContain(MODEL_CATALOG.map((m) => m.name).join(', '));
    expect(error.message).not.toContain('\n');
  });

  it('accepts a path to a .gguf file, and knows catalog files by name', () => {
    expect(resolveModel(join(dir, 'custom.gguf'), dir)).toMatchObject({ name: 'custom', catalog: null });
    expect(resolveModel(join(dir, 'smollm2-135m-instruct.Q4_1.gguf'), dir).name).toBe('smollm2-135m');
    expect(problem(() => resolveModel(join(dir, 'absent.gguf'), dir)).problem).toBe('missing_file');
  });
});
