import { parseStep } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { EqualityGrader } from '../test/doubles.js';
import { selectAnswerNode, voteAcrossTrees } from './answer-selection.js';
import { AnswerGrouper, normaliseAnswer } from './evaluators.js';
import { SearchTree } from './search-tree.js';

function treeWithAnswers(answers: { a: string | null; visits: number; w: number }[]): SearchTree {
  const tree = new SearchTree('q', 'prefix');
  for (const { a, visits, w } of answers) {
    const text = a === null ? '<answer>none<end_of_answer>' : `<answer>\\boxed{${a}}<end_of_answer>`;
    const child = tree.addChild(tree.root, {
      step: parseStep(text, '<end_of_answer>'), rendered: text, stdout: '', output: null, errorKind: null, executed: false,
      cached: false, consecutiveErrors: 0, terminal: true, terminalReason: 'answer', ppmScore: null,
    });
    child.visits = visits;
    child.valueSum = w;
  }
  return tree;
}

describe('answer selection', () => {
  it('takes the valid answer with the highest Q, then more visits', () => {
    expect(selectAnswerNode(treeWithAnswers([{ a: '1', visits: 1, w: 0.5 }, { a: '2', visits: 2, w: 1.8 }, { a: null, visits: 5, w: 5 }]))?.id).toBe(2);
    expect(selectAnswerNode(treeWithAnswers([{ a: '1', visits: 1, w: 1 }, { a: '2', visits: 3, w: 3 }]))?.id).toBe(2);
    expect(selectAnswerNode(treeWithAnswers([{ a: null, visits: 1, w: 1 }]))).toBeNull();
  });
});

describe('vote across trees', () => {
  const answers = [
    { answer: '5', score: 0.9 },
    { answer: '7', score: 0.8 },
    { answer: '7', score: 0.3 },
    { answer: '\\dfrac{1}{2}', score: 0.2 },
    { answer: '\\frac{1}{2}', score: 0.2 },
    { answer: '\\frac{1}{2}', score: 0.1 },
  ];

  it('majority over all trees groups equivalent answers', async () => {
    const vote = await voteAcrossTrees(answers, new AnswerGrouper(null), 'majority');
    expect(vote?.answer).toBe('\\dfrac{1}{2}');
    expect(vote?.support).toBe(3);
    expect(vote?.best).toBe(3);
  });

  it('keeps only the top-k by score before voting, and can weight by score', async () => {
    expect((await voteAcrossTrees(answers, new AnswerGrouper(null), 'majority', 3))?.answer).toBe('7');
    expect((await voteAcrossTrees(answers, new AnswerGrouper(null), 'weighted'))?.answer).toBe('7');
  });

  it('uses the grader for answers that differ in text, and remembers its verdicts', async () => {
    const grader = new EqualityGrader();
    const grouper = new AnswerGrouper(grader);
    expect(await grouper.same('72', ' 72')).toBe(true);
    expect(await grouper.same('72', '73')).toBe(false);
    expect(await grouper.same('73', '72')).toBe(false);
    expect(grader.calls).toBe(1);
    expect(normaliseAnswer('$\\tfrac{1}{2}$')).toBe('\\frac{1}{2}');
  });

  it('returns null with no answers', async () => {
    expect(await voteAcrossTrees([], new AnswerGrouper(null), 'majority')).toBeNull();
  });
});
