import { describe, expect, it } from 'vitest';
import { scoreRequestProblems } from './ppm.controller.js';

describe('scoreRequestProblems', () => {
  it('accepts trajectories that each end with a step to score, and no trajectories at all', () => {
    expect(scoreRequestProblems('Q', [['a'], ['a', 'b']], 8)).toEqual([]);
    expect(scoreRequestProblems('Q', [], 8)).toEqual([]);
  });

  it('names every problem', () => {
    expect(scoreRequestProblems(' ', [['a'], [], ['b'], ['c']], 3)).toEqual([
      'question must not be empty',
      'at most 3 trajectories per request, got 4',
      'trajectory 1 has no step to score',
    ]);
  });
});
