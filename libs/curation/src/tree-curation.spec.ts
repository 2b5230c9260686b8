import type { NodeReport } from '@rstar/mcts';
import { sftPrompt } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { curateTree, PpmPairSchema, type CurationTree } from './tree-curation.js';
import { SftRecordSchema } from './sft-record.js';

const Q = 'Natalia sold 48 clips in April and half as many in May. How many in total?';

/** A hand-built tree: each entry is [id, parentId, fields]; the root (id 0) is added. */
function tree(...entries: [number, number, Partial<NodeReport>][]): CurationTree {
  const root: NodeReport = node(0, null, { kind: 'root', text: Q, depth: 0 });
  return { problemId: 'gsm8k-train-0001', question: Q, round: 1, nodes: [root, ...entries.map(([id, parent, fields]) => node(id, parent, fields))] };
}

function node(id: number, parentId: number | null, fields: Partial<NodeReport>): NodeReport {
  return {
    id, parentId, depth: 1, kind: 'code', text: `\n# step ${id}\nx${id} = ${id}\n<end_of_step>`, reasoning: '', code: '', output: null, errorKind: null,
    executed: true, answer: null, terminal: false, terminalReason: null, q: 0, visits: 1, valueSum: 0, ppmScore: null, reward: null, correct: null,
    ...fields,
  };
}

const answer = (value: string, correct: boolean, q: number): Partial<NodeReport> => ({
  kind: 'answer', text: `\n<answer>The answer is \\boxed{${value}}.<end_of_answer>`, answer: value, correct, terminal: true, terminalReason: 'answer', reward: correct ? 1 : -1, q,
});
const failed = (q: number): Partial<NodeReport> => ({ terminal: true, terminalReason: 'code_errors', errorKind: 'runtime', reward: -1, q });
/** A step text long enough that two of them differ by ≥ 20 characters. */
const longStep = (words: string): Partial<NodeReport> => ({ text: `\n# ${words}\n${words.replace(/\W+/g, '_')} = 1\n<end_of_step>` });

describe('SFT traces (METHOD.md §4)', () => {
  it('keeps the top 2 correct traces by mean step Q, then min step Q, and drops those with code errors', () => {
    const t = tree(
      [1, 0, { q: 0.9 }], [2, 1, answer('72', true, 0.9)], // mean 0.9
      [3, 0, { q: 0.8 }], [4, 3, answer('72', true, 0.4)], // mean 0.6, min 0.4
      [5, 0, { q: 0.2 }], [6, 5, answer('72', true, 1.0)], // mean 0.6, min 0.2
      [7, 0, { q: 1, errorKind: 'runtime' }], [8, 7, answer('72', true, 1)], // a code error on the way
      [9, 0, { q: 0.95 }], [10, 9, answer('71', false, -1)],
    );
    const { traces, counts } = curateTree(t);
    expect(traces.map((r) => r.id)).toEqual(['gsm8k-train-0001-r1-n2', 'gsm8k-train-0001-r1-n4']);
    expect(counts).toMatchObject({ correctTraces: 4, tracesWithCodeErrors: 1 });
    for (const r of traces) expect(SftRecordSchema.parse(r)).toEqual(r);
    expect(traces[0]).toMatchObject({ source: 'mcts', round: 1, answer: '72', prompt: sftPrompt(Q), steps: [{ q: 0.9, visits: 1 }, { q: 0.9 }] });
    expect(traces[0]?.completion).toBe(`${t.nodes[1]?.text}${t.nodes[2]?.text}`);
  });

  it("renders a final code step with its output, as the search's prompts do", () => {
    const t = tree([1, 0, { kind: 'final_code', text: '\nprint(72)\n<end_of_code>', output: '72', q: 1 }], [2, 1, answer('72', true, 1)]);
    const [trace] = curateTree(t).traces;
    expect(trace?.completion).toBe('\nprint(72)\n<end_of_code>\n<output>72<end_of_output>\n\n<answer>The answer is \\boxed{72}.<end_of_answer>');
    expect(trace?.steps[0]?.output).toBe('72');
  });
});

describe('PPM pairs (METHOD.md §4)', () => {
  it('pairs 2 × 2 siblings under a node: chosen best Q first, rejected worst Q first, margin > 0.5', () => {
    const t = tree(
      [1, 0, { ...longStep('she sold forty-eight in April'), q: 0.9 }], [11, 1, answer('72', true, 1)],
      [2, 0, { ...longStep('half of forty-eight is twenty-four'), q: 0.7 }], [12, 2, answer('72', true, 1)],
      [3, 0, { ...longStep('correct but worst of the good ones'), q: 0.1 }], [13, 3, answer('72', true, 1)],
      [4, 0, { ...longStep('forty-eight times two is ninety-six'), q: -0.9 }], [14, 4, answer('96', false, -1)],
      [5, 0, { ...longStep('each friend paid three dollars per clip'), q: -0.6 }], [15, 5, failed(-1)],
      [6, 0, { ...longStep('not the worst among the wrong steps'), q: 0.3 }], [16, 6, answer('5', false, -1)],
    );
    const pairs = curateTree(t).pairs.filter((p) => p.kind === 'step');
    expect(pairs.map((p) => [p.chosen[0]?.q, p.rejected[0]?.q])).toEqual([[0.9, -0.9], [0.9, -0.6], [0.7, -0.9], [0.7, -0.6]]);
    expect(pairs.every((p) => p.positives === 2 && p.negatives === 2 && p.prefix.length === 0)).toBe(true);
    for (const p of pairs) expect(PpmPairSchema.parse(p)).toEqual(p);
  });

  it('takes up to 4 from the other side when one side has a single candidate, and drops pairs under the margin', () => {
    const t = tree(
      [1, 0, { ...longStep('the only step that leads to the right answer'), q: 0.5 }], [11, 1, answer('72', true, 1)],
      [2, 0, { ...longStep('wrong step number two, quite different'), q: -0.9 }], [12, 2, failed(-1)],
      [3, 0, { ...longStep('wrong step number three, also different'), q: -0.8 }], [13, 3, failed(-1)],
      [4, 0, { ...longStep('wrong step number four, not the same'), q: -0.7 }], [14, 4, failed(-1)],
      [5, 0, { ...longStep('wrong step number five, close in value'), q: 0.2 }], [15, 5, failed(-1)],
      [6, 0, { ...longStep('wrong step number six, never taken'), q: 0.3 }], [16, 6, failed(-1)],
    );
    const { pairs, counts } = curateTree(t);
    const steps = pairs.filter((p) => p.kind === 'step');
    expect(steps.map((p) => p.rejected[0]?.q)).toEqual([-0.9, -0.8, -0.7]); // 0.2 is within the 0.5 margin of 0.5
    expect(steps.every((p) => p.positives === 1 && p.negatives === 4)).toBe(true);
    expect(counts.pairsBelowMargin).toBe(1);
  });

  it('drops pairs whose steps differ by fewer than 20 characters, and keeps the shared prefix', () => {
    const t = tree(
      [1, 0, { q: 0.5 }],
      [2, 1, { depth: 2, text: '\nx = 48 / 2\n<end_of_step>', q: 0.9 }], [3, 2, answer('72', true, 1)],
      [4, 1, { depth: 2, text: '\nx = 48 * 2\n<end_of_step>', q: -0.9 }], [5, 4, answer('96', false, -1)],
    );
    const { pairs, counts } = curateTree(t);
    expect(pairs).toEqual([]);
    expect(counts.pairsTooSimilar).toBe(2); // the two steps, and the two whole trajectories

    const far = tree(
      [1, 0, { q: 0.5 }],
      [2, 1, { depth: 2, ...longStep('half as many in May: 48 / 2 clips'), q: 0.9 }], [3, 2, answer('72', true, 1)],
      [4, 1, { depth: 2, ...longStep('twice as many, which is wrong'), q: -0.9 }], [5, 4, answer('96', false, -1)],
    );
    const [pair] = curateTree(far).pairs.filter((p) => p.kind === 'step');
    expect(pair?.prefix).toEqual([far.nodes[1]?.text]);
  });

  it('compares correct and wrong answers as whole trajectories for the final-answer step', () => {
    const t = tree(
      [1, 0, { ...longStep('a path that reaches seventy-two'), q: 0.8 }], [2, 1, answer('72', true, 0.8)],
      [3, 0, { ...longStep('doubling gives ninety-six clips in all'), q: -0.8 }], [4, 3, answer('96', false, -0.8)],
    );
    const answers = curateTree(t).pairs.filter((p) => p.kind === 'answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ prefix: [], positives: 1, negatives: 1, chosen: [{ q: 0.8 }, { q: 0.8 }], rejected: [{ q: -0.8 }, { q: -0.8 }] });
  });

  it('a tree without a correct answer gives neither traces nor pairs', () => {
    const { traces, pairs } = curateTree(tree([1, 0, { q: -1 }], [2, 1, answer('5', false, -1)], [3, 0, failed(-1)]));
    expect(traces).toEqual([]);
    expect(pairs).toEqual([]);
  });
});
