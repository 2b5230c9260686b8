import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

const dir = mkdtempSync(join(tmpdir(), 'rstar-models-cli-'));

/** A LoRA policy directory; the weights are placeholders (registering checks they exist, listing never loads them). */
function policy(name: string, metadata: Record<string, unknown>): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(dir, 'base.gguf'), 'w');
  writeFileSync(join(at, 'adapter.gguf'), 'a');
  writeFileSync(join(at, 'metadata.json'), JSON.stringify({ schema: 'rstar.model.v1', name, kind: 'policy', round: 0, base: 'smollm2-135m', baseGguf: join(dir, 'base.gguf'), method: 'lora', promptStyle: 'sft', datasets: ['gsm8k-r0'], ...metadata }));
  return at;
}

describe('rstar models', () => {
  it('has --help', async () => {
    for (const args of [['models', '--help'], ['models', 'list', '--help'], ['models', 'register', '--help']]) {
      const r = await rstar(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: rstar models/);
    }
  });

  it('registers trained policies and lists them with their lineage, the best one marked', async () => {
    const database = `sqlite:${join(dir, 'rstar.db')}`;
    const good = policy('policy-good', { metrics: { gsm8k: { greedy: { accuracy: 0.12 } } } });
    policy('policy-new', {});
    expect((await rstar(['models', 'register', good, '--database', database])).stdout).toBe(`registered policy policy-good (round 0) at ${good}\n`);
    expect((await rstar(['models', 'register', join(dir, 'policy-new'), '--database', database])).code).toBe(0);
    const table = await rstar(['models', '--database', database]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\*\s+policy-good\s+policy\s+0\s+smollm2-135m\s+lora\s+gsm8k-r0\s+12\.0%\s+registered/);
    expect(table.stdout).toMatch(/\n\s+policy-new\s+policy\s+0\s+smollm2-135m\s+lora\s+gsm8k-r0\s+-\s+registered/);
    const json = JSON.parse((await rstar(['models', '--json', '--kind', 'policy', '--database', database])).stdout) as { models: { name: string; default: boolean; source: string }[] };
    // The policies the repository ships (policies/) are listed beside the registered ones, ranked the same way.
    expect(json.models.filter((m) => m.source === 'registered').map((m) => [m.name, m.default])).toEqual([['policy-good', true], ['policy-new', false]]);
  });

  it('refuses a directory that is not a trained model in one line', async () => {
    const bad = policy('policy-bad', { method: 'qlora' });
    const r = await rstar(['models', 'register', bad, '--database', `sqlite:${join(dir, 'rstar.db')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rstar: error: .*metadata\.json: invalid model metadata: method: .*\n$/);
  });
});
