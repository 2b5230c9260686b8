import type { NodeReport, SearchReport } from '@rstar/mcts';
import { parseSearchConfig } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { formatSummary, formatTrajectory, formatTree, shownTrajectory } from './tree-printer.js';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

function node(id: number, parentId: number | null, fields: Partial<NodeReport>): NodeReport {
  return {
    id, parentId, depth: parentId === null ? 0 : 1, kind: 'code', text: '', reasoning: '', code: '', output: null, errorKind: null,
    executed: false, answer: null, terminal: false, terminalReason: null, q: 0, visits: 0, valueSum: 0, ppmScore: null, reward: null,
    correct: null, ...fields,
  };
}

function report(nodes: NodeReport[], bestTrajectory: number[], answer: string | null): SearchReport {
  return {
    question: 'Q', method: 'mcts', config: parseSearchConfig(), evaluator: 'consistency', answer, answerNodeId: bestTrajectory.at(-1) ?? null,
    answerQ: answer === null ? null : 1, bestTrajectory, rollouts: 2, elapsedMs: 1500,
    stats: { policyRequests: 3, promptTokens: 10, completionTokens: 20, sandboxRuns: 4, sandboxCacheHits: 1, ppmCalls: 0 }, nodes,
  };
}

const nodes = [
  node(0, null, { kind: 'root', text: 'Q', visits: 2 }),
  node(1, 0, { reasoning: 'Step 1: April.', code: '# Step 1: April.\napril = 48\nprint(april)', output: '48', executed: true, q: 0.5, visits: 2 }),
  { ...node(2, 1, { kind: 'answer', reasoning: 'So \\boxed{72}.', answer: '72', terminal: true, terminalReason: 'answer', q: 1, visits: 1 }), depth: 2 },
  node(3, 0, { code: 'x = 1/0', errorKind: 'runtime', output: 'ZeroDivisionError: division by zero', executed: true, terminal: true, terminalReason: 'code_errors', q: -1, visits: 1 }),
];

describe('tree printer', () => {
  it('prints each step of the best trajectory with its reasoning, code, output, Q and visits, then the answer', () => {
    const text = strip(formatTrajectory(report(nodes, [0, 1, 2], '72')));
    expect(text).toContain('Best trajectory (2 steps)');
    expect(text).toMatch(/Step 1 · Q 0\.50 · N 2/);
    expect(text).toContain('Step 1: April.');
    expect(text).toContain('april = 48');
    expect(text).not.toContain('# Step 1'); // comments are shown once, as reasoning
    expect(text).toContain('→ 48');
    expect(text).toMatch(/Answer step · Q 1\.00 · N 1[\s\S]*So \\boxed\{72\}\./);
  });

  it('without an answer shows the deepest trajectory, errors included', () => {
    const failed = report(nodes.slice(0, 1).concat(nodes[3] as NodeReport), [], null);
    expect(shownTrajectory(failed).map((n) => n.id)).toEqual([3]);
    const text = strip(formatTrajectory(failed));
    expect(text).toContain('No answer found');
    expect(text).toContain('✗ runtime: ZeroDivisionError: division by zero');
  });

  it('prints the whole tree indented by depth, and a summary with the verdict', () => {
    const tree = strip(formatTree(report(nodes, [0, 1, 2], '72'))).split('\n');
    expect(tree).toHaveLength(4);
    expect(tree[2]).toMatch(/^ {4}#2 answer Q 1\.00 N 1/);
    expect(tree[3]).toMatch(/^ {2}#3 code Q-1\.00 N 1 runtime/);
    const summary = strip(formatSummary(report(nodes, [0, 1, 2], '72'), '72', '72', true));
    expect(summary).toContain('Answer: \\boxed{72} (Q 1.00) unverified (one trajectory) ✓ correct');
    expect(summary).toContain('4 sandbox runs (1 cached)');
    expect(strip(formatSummary(report(nodes, [], null), null, '72', false))).toContain('Answer: none found');
  });

  it('says "unverified" when self-consistency saw the answer from one trajectory only', () => {
    const lone = strip(formatSummary(report(nodes, [0, 1, 2], '72'), '72', null, null));
    expect(lone).toContain('(Q 1.00) unverified (one trajectory)');
    const twice = [...nodes, { ...node(4, 3, { kind: 'answer', answer: ' 72', terminal: true }), depth: 2 }];
    expect(strip(formatSummary(report(twice, [0, 1, 2], '72'), '72', null, null))).not.toContain('unverified');
    const graded = { ...report(nodes, [0, 1, 2], '72'), evaluator: 'ground-truth' };
    expect(strip(formatSummary(graded, '72', '72', true))).not.toContain('unverified');
  });
});
