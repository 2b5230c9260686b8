import { describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { checkProblemText, checkReferenceAnswer, problemSource, searchConfigOf } from './solve-input.validator.js';
import { PromptStyleValue, SearchMethodValue, type SolveInput } from './solve-job.types.js';

const limits = { maxProblemChars: 50, maxRollouts: 16, maxWidth: 8 };

function input(extra: Partial<SolveInput> = {}): SolveInput {
  return { method: SearchMethodValue.MCTS, problem: '1+1?', ...extra };
}

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('searchConfigOf', () => {
  it("fills the library's defaults", () => {
    expect(searchConfigOf(input(), limits)).toMatchObject({ method: 'mcts', rollouts: 8, width: 4, seed: 0, promptStyle: 'few-shot' });
  });

  it('takes the budget and options', () => {
    const config = searchConfigOf(
      input({ method: SearchMethodValue.BEAM, budget: { rollouts: 16, width: 8 }, seed: 3, temperature: 0, beamWidth: 3, promptStyle: PromptStyleValue.SFT }),
      limits,
    );
    expect(config).toMatchObject({ method: 'beam', rollouts: 16, width: 8, seed: 3, temperature: 0, beamWidth: 3, promptStyle: 'sft' });
  });

  it.each([
    [{ rollouts: 17 }, 'budget.rollouts'],
    [{ rollouts: 0 }, 'budget.rollouts'],
    [{ width: 9 }, 'budget.width'],
    [{ width: -1 }, 'budget.width'],
  ])('refuses the budget %j with BAD_USER_INPUT on %s', (budget, field) => {
    const error = thrown(() => searchConfigOf(input({ budget }), limits));
    expect(error.code).toBe(GatewayErrorCode.BAD_USER_INPUT);
    expect(error.details.field).toBe(field);
  });

  it("reports the library's own checks with the field", () => {
    const error = thrown(() => searchConfigOf(input({ temperature: 3 }), limits));
    expect(error).toMatchObject({ code: GatewayErrorCode.BAD_USER_INPUT, details: { field: 'temperature' } });
    expect(error.message).toMatch(/^temperature: /);
  });

  it('refuses library defaults above a tighter deployment limit', () => {
    const error = thrown(() => searchConfigOf(input(), { ...limits, maxRollouts: 4 }));
    expect(error.details.field).toBe('budget.rollouts');
  });
});

describe('problem checks', () => {
  it('needs exactly one of problem and problemId', () => {
    expect(problemSource({ problem: 'x' })).toEqual({ problem: 'x' });
    expect(problemSource({ problemId: 'p' })).toEqual({ problemId: 'p' });
    expect(thrown(() => problemSource({})).details.field).toBe('problem');
    expect(thrown(() => problemSource({ problem: 'x', problemId: 'p' })).code).toBe(GatewayErrorCode.BAD_USER_INPUT);
  });

  it('refuses an oversized problem with INPUT_TOO_LARGE and a blank one with BAD_USER_INPUT', () => {
    expect(checkProblemText('  2+2?  ', 50)).toBe('2+2?');
    expect(thrown(() => checkProblemText('x'.repeat(51), 50))).toMatchObject({ code: GatewayErrorCode.INPUT_TOO_LARGE, details: { field: 'problem', limit: 50 } });
    expect(thrown(() => checkProblemText('   ', 50)).code).toBe(GatewayErrorCode.BAD_USER_INPUT);
  });

  it('limits the reference answer', () => {
    expect(checkReferenceAnswer(undefined)).toBeNull();
    expect(checkReferenceAnswer(' ')).toBeNull();
    expect(checkReferenceAnswer('72')).toBe('72');
    expect(thrown(() => checkReferenceAnswer('1'.repeat(1001))).code).toBe(GatewayErrorCode.INPUT_TOO_LARGE);
  });
});
