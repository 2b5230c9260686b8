import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchReport } from '@rstar/mcts';
import { sharedDataDir } from '@rstar/workspace';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

const firstGsm8k = JSON.parse(readFileSync(join(sharedDataDir(), 'gsm8k', 'test.jsonl'), 'utf8').split('\n')[0] ?? '{}') as { problem: string; answer: string };

describe('rstar solve with the real CPU model', () => {
  it('searches a GSM8K problem and returns a well-formed tree whose steps ran in the sandbox', async () => {
    const r = await rstar(['solve', firstGsm8k.problem, '--answer', firstGsm8k.answer, '--json', '--rollouts', '2', '--width', '2', '--max-step-tokens', '96', '--max-depth', '4']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SearchReport & { correct: boolean | null; policy: string };
    expect(report.policy).toMatch(/smollm2-135m/);
    expect(report.question).toBe(firstGsm8k.problem);
    expect(report.rollouts).toBeGreaterThanOrEqual(1);
    expect(report.rollouts).toBeLessThanOrEqual(2);
    // Shape: ids in order, one root, every child one deeper than its parent, at most `width` children each.
    const nodes = report.nodes;
    expect(nodes[0]).toMatchObject({ id: 0, parentId: null, depth: 0, kind: 'root' });
    expect(nodes.length).toBeGreaterThan(1);
    nodes.forEach((n, i) => expect(n.id).toBe(i));
    for (const n of nodes.slice(1)) {
      const parent = nodes[n.parentId ?? -1];
      expect(parent).toBeDefined();
      expect(n.depth).toBe((parent?.depth ?? 0) + 1);
      expect(n.depth).toBeLessThanOrEqual(4);
    }
    const childCounts = new Map<number, number>();
    for (const n of nodes.slice(1)) childCounts.set(n.parentId ?? -1, (childCounts.get(n.parentId ?? -1) ?? 0) + 1);
    for (const count of childCounts.values()) expect(count).toBeLessThanOrEqual(2);
    // The root was visited once per rollout that backed a value up; Q stays in [-1, 1].
    for (const n of nodes) expect(Math.abs(n.q)).toBeLessThanOrEqual(1);
    // At least one step's code ran in the sandbox.
    const ran = nodes.filter((n) => n.executed);
    expect(ran.length).toBeGreaterThan(0);
    expect(report.stats.sandboxRuns).toBeGreaterThan(0);
    expect(report.stats.policyRequests).toBeGreaterThan(0);
    expect(typeof report.correct === 'boolean' || report.answer === null).toBe(true);
  });
});
