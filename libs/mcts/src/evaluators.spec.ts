import { parseStep } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { CommentPpm, EqualityGrader } from '../test/doubles.js';
import { AnswerGrouper, chooseTerminalEvaluator, ConsistencyEvaluator, consistencyValue, GroundTruthEvaluator, PpmEvaluator } from './evaluators.js';
import type { SearchNode } from './search-node.js';
import { SearchTree } from './search-tree.js';

describe('chooseTerminalEvaluator', () => {
  const grader = new EqualityGrader();
  const ppm = new CommentPpm();

  it('takes the ground truth when there is a reference answer, PPM or not', () => {
    expect(chooseTerminalEvaluator({ grader, reference: '72', ppm: null })).toBeInstanceOf(GroundTruthEvaluator);
    expect(chooseTerminalEvaluator({ grader, reference: '72', ppm })).toBeInstanceOf(GroundTruthEvaluator);
  });

  it('takes the PPM at inference when there is one', () => {
    expect(chooseTerminalEvaluator({ grader, reference: null, ppm })).toBeInstanceOf(PpmEvaluator);
  });

  it('falls back to self-consistency, grouping answers with the grouper it is given', () => {
    const grouper = new AnswerGrouper(grader);
    const evaluator = chooseTerminalEvaluator({ grader, reference: null, ppm: null, grouper });
    expect(evaluator).toBeInstanceOf(ConsistencyEvaluator);
    expect((evaluator as unknown as { grouper: AnswerGrouper }).grouper).toBe(grouper);
  });
});

describe('ConsistencyEvaluator', () => {
  /** A tree whose root has one answer child per given answer; returns the answer nodes. */
  function answers(...values: string[]): { tree: SearchTree; nodes: SearchNode[] } {
    const tree = new SearchTree('Q', 'P');
    const nodes = values.map((v) => {
      const step = parseStep(`<answer>\\boxed{${v}}<end_of_answer>`, '<end_of_answer>');
      return tree.addChild(tree.root, {
        step, rendered: step.text, stdout: '', output: null, errorKind: null, executed: false, cached: false,
        consecutiveErrors: 0, terminal: true, terminalReason: 'answer', ppmScore: null,
      });
    });
    return { tree, nodes };
  }
  const evaluator = new ConsistencyEvaluator(new AnswerGrouper(new EqualityGrader()));

  it('does not call a lone answer certain: (1 - 0) / (1 + 2) = 1/3', async () => {
    const { tree, nodes } = answers('72');
    expect(await evaluator.evaluate(nodes[0]!, tree)).toBeCloseTo(1 / 3, 12);
  });

  it('raises agreement toward 1 and sinks a lone dissenter (Laplace: 2(a+1)/(n+2) - 1)', async () => {
    const { tree, nodes } = answers('72', '72', '72', '9');
    expect(await evaluator.evaluate(nodes[0]!, tree)).toBeCloseTo(2 / 6, 12); // 3 agree, 1 does not
    expect(await evaluator.evaluate(nodes[3]!, tree)).toBeCloseTo(-2 / 6, 12);
    expect(consistencyValue(2, 2)).toBeCloseTo(0.5, 12);
    expect(consistencyValue(8, 8)).toBeCloseTo(0.8, 12);
    expect(consistencyValue(0, 3)).toBeCloseTo(-0.6, 12);
  });
});

describe('grader errors are not wrong answers', () => {
  function answerNode(value: string): SearchNode {
    const tree = new SearchTree('Q', 'P');
    const step = parseStep(`<answer>\\boxed{${value}}<end_of_answer>`, '<end_of_answer>');
    return tree.addChild(tree.root, {
      step, rendered: step.text, stdout: '', output: null, errorKind: null, executed: false, cached: false,
      consecutiveErrors: 0, terminal: true, terminalReason: 'answer', ppmScore: null,
    });
  }

  it('retries a grader error once, then scores the answer', async () => {
    const grader = new EqualityGrader(1);
    const node = answerNode('72');
    expect(await new GroundTruthEvaluator(grader, '72').evaluate(node)).toBe(1);
    expect(node.correct).toBe(true);
    expect(grader.calls).toBe(2);
  });

  it('leaves an answer unscored (null, correct unknown) when the grader fails twice', async () => {
    const node = answerNode('72');
    expect(await new GroundTruthEvaluator(new EqualityGrader(2), '72').evaluate(node)).toBeNull();
    expect(node.correct).toBeNull();
  });

  it('does not remember a failed comparison when grouping answers', async () => {
    const grader = new EqualityGrader(2);
    const grouper = new AnswerGrouper(grader);
    expect(await grouper.same('1/2', '0.5')).toBe(false);
    expect(await grouper.same('1/2', '1/2 ')).toBe(true); // textual match, no grader call
    expect(await grouper.same('0.5', '1/2')).toBe(false); // graded now (EqualityGrader: not equal), then remembered
    expect(grader.calls).toBe(3);
    expect(await grouper.same('0.5', '1/2')).toBe(false);
    expect(grader.calls).toBe(3);
  });
});
