import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelNotFoundError } from './model-catalog.js';
import { bestPolicy, chooseModel, describeModel, listModels, NO_POLICY_HINT, rankingScore, shippedPoliciesDir, type ModelEntry } from './model-registry.js';

const root = mkdtempSync(join(tmpdir(), 'rstar-model-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const baseGguf = join(root, 'base.gguf');
writeFileSync(baseGguf, 'weights');

/** A LoRA policy directory (files are placeholders: registering checks they exist, it does not load them). */
function policyDir(at: string, fields: Record<string, unknown>): string {
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'adapter.gguf'), 'lora');
  const metadata = {
    schema: 'rstar.model.v1', name: 'policy-r0', kind: 'policy', round: 0, base: 'smollm2-135m', baseGguf, method: 'lora', promptStyle: 'sft',
    datasets: ['gsm8k-r0'], config: { rank: 16 }, codeVersion: 'abc123', metrics: {}, ...fields,
  };
  writeFileSync(join(at, 'metadata.json'), JSON.stringify(metadata));
  return at;
}

const accuracy = (a: number): Record<string, unknown> => ({ metrics: { gsm8k: { greedy: { accuracy: a } } } });

function entry(name: string, dir: string, score: number | null, createdAt: number): ModelEntry {
  return { name, kind: 'policy', round: 0, uri: dir, source: 'registered', metadata: { method: 'lora', base: 'smollm2-135m', promptStyle: 'sft', ...(score === null ? {} : accuracy(score)) }, createdAt: new Date(createdAt) };
}

describe('model registry', () => {
  it('ranks policies by gsm8k greedy accuracy, ties by newest, unmeasured last; unservable ones are passed over', () => {
    const dir = policyDir(join(root, 'any'), {});
    const older = entry('older', dir, 0.12, 1000);
    const newer = entry('newer', dir, 0.12, 2000);
    const worse = entry('worse', dir, 0.05, 3000);
    const unmeasured = entry('unmeasured', dir, null, 4000);
    expect(bestPolicy([older, worse, unmeasured, newer])?.name).toBe('newer');
    expect(bestPolicy([unmeasured, worse])?.name).toBe('worse');
    expect(bestPolicy([unmeasured])?.name).toBe('unmeasured');
    expect(bestPolicy([{ ...older, uri: join(root, 'deleted') }])).toBeNull();
    expect(bestPolicy([{ ...older, kind: 'ppm' }])).toBeNull();
    expect(rankingScore({ metrics: { gsm8k: { greedy: { accuracy: '12%' } } } })).toBeNull();
  });

  it('chooses the best policy by default, says which, and brings its prompt style', () => {
    const dir = policyDir(join(root, 'best'), {});
    const choice = chooseModel(undefined, [entry('policy-r0', dir, 0.12, 1)]);
    expect(choice).toEqual({ model: dir, promptStyle: 'sft', statusLine: 'using policy-r0 (round 0, LoRA over smollm2-135m; gsm8k greedy 12.0%); --model picks another' });
    expect(describeModel(entry('p', dir, null, 1))).toBe('p (round 0, LoRA over smollm2-135m; gsm8k greedy not measured yet)');
  });

  it('keeps smollm2-135m without a trained policy and says how to make one', () => {
    expect(chooseModel(undefined, [])).toEqual({ model: 'smollm2-135m', promptStyle: null, statusLine: NO_POLICY_HINT });
    expect(NO_POLICY_HINT).toContain('rstar bootstrap');
    expect(NO_POLICY_HINT).toContain('rstar train policy');
  });

  it('takes a catalog name, a policy directory or a registered name; refuses what it cannot serve', () => {
    const dir = policyDir(join(root, 'named'), { name: 'policy-named' });
    expect(chooseModel('gemma3-270m', [])).toEqual({ model: 'gemma3-270m', promptStyle: null, statusLine: null });
    expect(chooseModel(dir, [])).toMatchObject({ model: dir, promptStyle: 'sft' });
    expect(chooseModel('policy-named', [entry('policy-named', dir, null, 1)])).toMatchObject({ model: dir, promptStyle: 'sft' });
    const served: ModelEntry = { ...entry('remote', 'http://vllm:8000', null, 1) };
    expect(() => chooseModel('remote', [served])).toThrow(ModelNotFoundError);
    expect(() => chooseModel('remote', [served])).toThrow(/use --policy-url http:\/\/vllm:8000/);
    expect(() => chooseModel('no-such-model', [])).toThrow(/^unknown model 'no-such-model': not a registered or shipped model \(rstar models\), nor smollm2-135m, gemma3-270m/);
    expect(() => chooseModel('./no/such/dir', [])).toThrow(/^unknown model '\.\/no\/such\/dir': use one of/);
  });

  it('prefers the newer of two equally good shipped policies by their metadata time', async () => {
    const repo = join(root, 'repo2');
    const a = policyDir(join(shippedPoliciesDir(repo), 'a'), { name: 'a', ...accuracy(0.1) });
    const b = policyDir(join(shippedPoliciesDir(repo), 'b'), { name: 'b', ...accuracy(0.1) });
    utimesSync(join(a, 'metadata.json'), new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    utimesSync(join(b, 'metadata.json'), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    const { entries } = await listModels(null, { root: repo });
    expect(bestPolicy(entries)?.name).toBe('a');
  });
});
