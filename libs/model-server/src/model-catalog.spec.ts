import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('resolveModel with a trained model directory', () => {
  const metadata = (fields: Record<string, unknown>): Record<string, unknown> => ({
    schema: 'rstar.model.v1', name: 'policy-r0', kind: 'policy', round: 0, base: 'smollm2-135m', method: 'lora', promptStyle: 'sft',
    datasets: ['gsm8k-r0'], config: {}, codeVersion: 'abc', metrics: {}, ...fields,
  });
  function modelDir(name: string, fields: Record<string, unknown>, files: string[]): string {
    const at = join(dir, name);
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'metadata.json'), JSON.stringify(metadata(fields)));
    for (const f of files) writeFileSync(join(at, f), 'x');
    return at;
  }

  it('serves a LoRA adapter over baseGguf, named and styled by its metadata', () => {
    const at = modelDir('lora', { baseGguf: join(dir, 'custom.gguf') }, ['adapter.gguf']);
    const model = resolveModel(at, dir);
    expect(model).toMatchObject({ name: 'policy-r0', path: join(dir, 'custom.gguf'), adapter: join(at, 'adapter.gguf'), promptStyle: 'sft' });
    expect(model.trained?.metadata.round).toBe(0);
    // The catalog facts of the base (context sizes) still apply.
    expect(model.catalog?.name).toBe('smollm2-135m');
  });

  it('falls back to the installed catalog base when baseGguf is not on this machine', () => {
    const at = modelDir('moved', { baseGguf: '/elsewhere/base.gguf' }, ['adapter.gguf']);
    expect(resolveModel(at, dir).path).toBe(join(dir, 'smollm2-135m-instruct.Q4_1.gguf'));
  });

  it('serves model.gguf of a fully fine-tuned model', () => {
    const at = modelDir('full', { name: 'policy-full', method: 'full' }, ['model.gguf']);
    expect(resolveModel(at, dir)).toMatchObject({ name: 'policy-full', path: join(at, 'model.gguf'), adapter: null });
  });

  it('says in one line what is wrong with a directory', () => {
    const noAdapter = problem(() => resolveModel(modelDir('no-adapter', {}, []), dir));
    expect(noAdapter.problem).toBe('invalid_model');
    expect(noAdapter.message).toMatch(/needs adapter\.gguf, which is missing$/);
    const bad = problem(() => resolveModel(modelDir('bad', { round: -1, method: 'qlora' }, ['adapter.gguf']), dir));
    expect(bad.message).toMatch(/invalid model metadata: round: .*; method: /);
    expect(bad.message).not.toContain('\n');
    const noBase = problem(() => resolveModel(modelDir('no-base', { base: 'gemma3-270m' }, ['adapter.gguf']), dir));
    expect(noBase.message).toMatch(/base model of the LoRA adapter is missing .*run tools\/setup$/);
  });
});
