import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchReport } from '@rstar/mcts';
import type { SearchTreeRecord, SolveJobRecord } from '@rstar/persistence';
import { sharedDataDir, workspaceRoot } from '@rstar/workspace';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

const firstGsm8k = JSON.parse(readFileSync(join(sharedDataDir(), 'gsm8k', 'test.jsonl'), 'utf8').split('\n')[0] ?? '{}') as { problem: string; answer: string };

// The default policy: the round-0 LoRA policy the repository ships (policies/), else the base model.
const defaultPolicy = existsSync(join(workspaceRoot(), 'policies', 'policy-r0')) ? 'policy-r0' : 'smollm2-135m';

describe('rstar solve with the real CPU model', () => {
  // The one real solve of this file is also what the jobs commands read back.
  const database = `sqlite:${join(mkdtempSync(join(tmpdir(), 'rstar-solve-')), 'x.db')}`;
  let solved: (SearchReport & { jobId: string | null }) | null = null;

  it('searches a GSM8K problem and returns a well-formed tree whose steps ran in the sandbox', async () => {
    const r = await rstar(['solve', firstGsm8k.problem, '--answer', firstGsm8k.answer, '--json', '--rollouts', '2', '--width', '2', '--max-step-tokens', '96', '--max-depth', '4', '--database', database]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SearchReport & { correct: boolean | null; policy: string; jobId: string | null };
    expect(report.policy.startsWith(`${defaultPolicy} `)).toBe(true);
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
      expect(n.depth).toBeLessThanOrEqual(5); // a step deeper than --max-depth 4 ends its trajectory
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
    solved = report;
  });

  it('stored the solve as a succeeded job with its whole tree, which rstar jobs reads back', async () => {
    if (!solved) throw new Error('the solve above failed');
    const { jobId } = solved;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const list = await rstar(['jobs', 'list', '--json', '--database', database]);
    expect(list.code).toBe(0);
    const { total, jobs } = JSON.parse(list.stdout) as { total: number; jobs: SolveJobRecord[] };
    expect(total).toBe(1);
    expect(jobs[0]).toMatchObject({ id: jobId, status: 'succeeded', question: firstGsm8k.problem, referenceAnswer: firstGsm8k.answer, answer: solved.answer, rolloutsDone: solved.rollouts, policyModel: defaultPolicy });

    const show = await rstar(['jobs', 'show', jobId ?? '', '--json', '--database', database]);
    expect(show.code).toBe(0);
    const { job, tree } = JSON.parse(show.stdout) as { job: SolveJobRecord; tree: SearchTreeRecord };
    expect(job.answer).toBe(solved.answer);
    expect(tree.nodes).toHaveLength(solved.nodes.length);
    expect(tree.nodes).toEqual(solved.nodes);
    expect(tree.bestTrajectory).toEqual(solved.bestTrajectory);

    const human = await rstar(['jobs', 'show', jobId ?? '', '--show-tree', '--database', database]);
    expect(human.code).toBe(0);
    const text = human.stdout.replace(/\x1b\[[0-9;]*m/g, ''); // colours, when the environment forces them
    expect(text).toMatch(new RegExp(`^Job: +${jobId ?? ''}$`, 'm'));
    expect(text).toMatch(/Best trajectory|No answer found/);
    expect(text).toMatch(/\nTree:\n#0 root/);
  });
});
