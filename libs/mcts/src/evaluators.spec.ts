import { describe, expect, it } from 'vitest';
import { CommentPpm, EqualityGrader } from '../test/doubles.js';
import { AnswerGrouper, chooseTerminalEvaluator, ConsistencyEvaluator, GroundTruthEvaluator, PpmEvaluator } from './evaluators.js';

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
