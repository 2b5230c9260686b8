import { describe, expect, it } from 'vitest';
import type { ModelEntry } from '@rstar/model-server';
import { formatModelTable } from './models.command.js';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

const policy = (name: string, metadata: Record<string, unknown>): ModelEntry => ({
  name, kind: 'policy', round: 0, uri: `/m/${name}`, source: 'registered', metadata, createdAt: new Date(0),
});

describe('rstar models table', () => {
  it('shows lineage and the ranking metric per model, and marks the default policy', () => {
    const best = policy('policy-r0', { base: 'smollm2-135m', method: 'lora', datasets: ['gsm8k-r0', { name: 'extra' }], metrics: { gsm8k: { greedy: { accuracy: 0.125 } } } });
    const other = { ...policy('policy-full', { base: 'smollm2-135m', method: 'full' }), source: 'shipped' as const };
    const lines = strip(formatModelTable([best, other], best)).split('\n');
    expect(lines[0]).toMatch(/NAME\s+KIND\s+ROUND\s+BASE\s+METHOD\s+DATASETS\s+GSM8K GREEDY\s+SOURCE\s+URI/);
    expect(lines[1]).toMatch(/^\*\s+policy-r0\s+policy\s+0\s+smollm2-135m\s+lora\s+gsm8k-r0,extra\s+12\.5%\s+registered\s+\/m\/policy-r0$/);
    expect(lines[2]).toMatch(/^\s+policy-full\s+policy\s+0\s+smollm2-135m\s+full\s+-\s+-\s+shipped/);
    expect(lines[3]).toContain('the default of rstar solve');
  });

  it('says how models get there when there are none', () => {
    expect(formatModelTable([], null)).toContain('rstar train policy');
    expect(formatModelTable([], null, 'No ppm models.')).toBe('No ppm models.');
  });
});
