import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidModelMetadataError, listModels, ModelNotFoundError, registerModelDirectory, shippedPoliciesDir } from '@rstar/model-server';
import { afterAll, describe, expect, it } from 'vitest';
import { openJobDatabase } from './job-database.js';
import { chooseCommandModel, readKnownModels, recordEvaluation, registerTrainedModel } from './model-registry.js';

const root = mkdtempSync(join(tmpdir(), 'rstar-registry-'));
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

describe('model registry in the CLI database', () => {
  it('registers a trained model directory with its metadata as lineage, and lists it with the shipped policies', async () => {
    const db = await openJobDatabase(`sqlite:${join(root, 'rstar.db')}`, 'write');
    try {
      const trained = policyDir(join(root, 'models', 'policy-r0'), accuracy(0.12));
      const record = await registerModelDirectory(trained, db.stores.models);
      expect(record).toMatchObject({ name: 'policy-r0', kind: 'policy', round: 0, uri: trained });
      expect(record.metadata).toMatchObject({ base: 'smollm2-135m', datasets: ['gsm8k-r0'], codeVersion: 'abc123' });

      const repo = join(root, 'repo');
      policyDir(join(shippedPoliciesDir(repo), 'policy-r0'), { name: 'policy-r0' }); // shadowed by the registered one
      policyDir(join(shippedPoliciesDir(repo), 'shipped-lora'), { name: 'shipped-lora' });
      mkdirSync(join(shippedPoliciesDir(repo), 'broken'));
      writeFileSync(join(shippedPoliciesDir(repo), 'broken', 'metadata.json'), '{"schema":"rstar.model.v1"}');
      const { entries, problems } = await listModels(db.stores.models, { root: repo });
      expect(entries.map((e) => [e.name, e.source])).toEqual([['policy-r0', 'registered'], ['shipped-lora', 'shipped']]);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/broken skipped: .*invalid model metadata: name: /);
      expect((await listModels(db.stores.models, { root: repo, kind: 'ppm' })).entries).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('refuses a directory with invalid metadata or without its weights, in one line', async () => {
    const bad = policyDir(join(root, 'bad'), { round: 'zero' });
    await expect(registerTrainedModel(bad, `sqlite:${join(root, 'other.db')}`)).rejects.toThrow(/metadata\.json: invalid model metadata: round: /);
    const noWeights = policyDir(join(root, 'no-weights'), {});
    rmSync(join(noWeights, 'adapter.gguf'));
    await expect(registerTrainedModel(noWeights, `sqlite:${join(root, 'other.db')}`)).rejects.toThrow(ModelNotFoundError);
    await expect(registerTrainedModel(join(root, 'nowhere'), `sqlite:${join(root, 'other.db')}`)).rejects.toThrow(InvalidModelMetadataError);
  });

  it('reads the known models without writing, and chooses among them for a command line', async () => {
    const url = `sqlite:${join(root, 'rstar.db')}`;
    const lines: string[] = [];
    const entries = await readKnownModels(url, (l) => lines.push(l));
    expect(entries.map((e) => e.name)).toContain('policy-r0');
    expect(await readKnownModels(`sqlite:${join(root, 'absent.db')}`, (l) => lines.push(l))).toEqual(expect.any(Array));
    expect(existsSync(join(root, 'absent.db'))).toBe(false);
    const status: string[] = [];
    const named = await chooseCommandModel('policy-r0', url, (l) => status.push(l));
    expect(named).toMatchObject({ model: join(root, 'models', 'policy-r0'), promptStyle: 'sft' });
    expect(status.at(-1)).toBe('using policy-r0 (round 0, LoRA over smollm2-135m; gsm8k greedy 12.0%)');
    expect(await chooseCommandModel('gemma3-270m', url, (l) => status.push(l))).toMatchObject({ model: 'gemma3-270m', statusLine: null });
  });

  it('records a finished evaluation in the metadata and the registered record, where solve ranks by it', async () => {
    const url = `sqlite:${join(root, 'eval.db')}`;
    const dir = policyDir(join(root, 'models', 'evaluated'), { name: 'evaluated', metrics: { steps: 141 } });
    await registerTrainedModel(dir, url);
    const measured = (accuracy: number, problems: number) => ({
      path: ['gsm8k', 'greedy'] as [string, string],
      metric: { accuracy, correct: accuracy * problems, problems, ci95: { low: 0, high: 1 }, benchmark: 'gsm8k', command: 'rstar eval', evaluatedAt: '2026-12-07' },
    });
    const warnings: string[] = [];
    const metricsOnDisk = () => (JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as { metrics: Record<string, unknown> }).metrics;

    expect(await recordEvaluation(dir, measured(0.035, 200), url, (l) => warnings.push(l))).toBe(
      `recorded metrics.gsm8k.greedy in ${join(dir, 'metadata.json')} and in the registered model evaluated`,
    );
    expect(metricsOnDisk()).toMatchObject({ steps: 141, gsm8k: { greedy: { accuracy: 0.035, problems: 200 } } });
    const status: string[] = [];
    await chooseCommandModel('evaluated', url, (l) => status.push(l));
    expect(status.at(-1)).toBe('using evaluated (round 0, LoRA over smollm2-135m; gsm8k greedy 3.5%)');

    // A run on fewer problems does not replace it; one on as many does.
    expect(await recordEvaluation(dir, measured(0.4, 5), url, (l) => warnings.push(l))).toMatch(/^not recorded: .* keeps its metrics\.gsm8k\.greedy, measured on 200 problems \(this run: 5\)$/);
    expect(metricsOnDisk()).toMatchObject({ gsm8k: { greedy: { accuracy: 0.035 } } });
    await recordEvaluation(dir, measured(0.05, 200), url, (l) => warnings.push(l));
    expect(metricsOnDisk()).toMatchObject({ gsm8k: { greedy: { accuracy: 0.05 } } });

    // Without a database file, only the metadata is written (no empty database is created).
    expect(await recordEvaluation(dir, measured(0.06, 300), `sqlite:${join(root, 'none.db')}`, (l) => warnings.push(l))).toBe(`recorded metrics.gsm8k.greedy in ${join(dir, 'metadata.json')}`);
    expect(existsSync(join(root, 'none.db'))).toBe(false);
    expect(warnings).toEqual([]);
  });
});
