import type { searchV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import { curationTreeOf } from './trajectory-tree.js';

const root: searchV1.TreeNode = { id: 0, depth: 0, kind: 'root', text: 'q', reasoning: '', code: '', executed: false, terminal: false, q: 0.5, visits: 4, valueSum: 2 };
const answer: searchV1.TreeNode = { id: 1, parentId: 0, depth: 1, kind: 'answer', text: '<answer>72', reasoning: '', code: '', output: '72', executed: true, answer: '72', terminal: true, terminalReason: 'answer', q: 1, visits: 1, valueSum: 1, reward: 1, correct: true };

function event(fields: Partial<searchV1.TrajectoryCompleted> = {}): searchV1.TrajectoryCompleted {
  return { jobId: 'job-1', problemId: 'gsm8k-train-0001', question: 'q', referenceAnswer: '72', method: 'mcts', evaluator: 'ground-truth', bestTrajectory: [0, 1], nodes: [root, answer], searchConfigJson: '{}', policyModel: 'm', rollouts: 8, elapsedMs: 1, completedAt: '', ...fields };
}

describe('curationTreeOf', () => {
  it('reads a ground-truth tree back into search nodes (absent optional fields are null)', () => {
    const result = curationTreeOf(event(), 2);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tree).toMatchObject({ problemId: 'gsm8k-train-0001', question: 'q', round: 2 });
    expect(result.tree.nodes[0]).toMatchObject({ id: 0, parentId: null, kind: 'root', output: null, errorKind: null, terminalReason: null, answer: null, reward: null, correct: null, ppmScore: null });
    expect(result.tree.nodes[1]).toMatchObject({ id: 1, parentId: 0, kind: 'answer', answer: '72', terminalReason: 'answer', reward: 1, correct: true });
  });

  it('takes the job id as the problem id of a problem outside any dataset', () => {
    const result = curationTreeOf(event({ problemId: undefined }), 1);
    expect(result.ok && result.tree.problemId).toBe('job-1');
  });

  it('refuses trees not scored against the ground truth, and nodes outside the search vocabulary', () => {
    expect(curationTreeOf(event({ evaluator: 'ppm' }), 1)).toMatchObject({ ok: false, reason: 'not-ground-truth' });
    expect(curationTreeOf(event({ referenceAnswer: undefined }), 1)).toMatchObject({ ok: false, reason: 'not-ground-truth' });
    expect(curationTreeOf(event({ nodes: [root, { ...answer, terminalReason: 'bored' }] }), 1)).toMatchObject({ ok: false, reason: 'malformed', detail: 'node 1: unknown terminalReason "bored"' });
  });
});
