import type { CompletionRequest } from '@rstar/clients';
import { describe, expect, it } from 'vitest';
import { completionRequestProblems } from './complete-request.js';

const valid: CompletionRequest = { prompt: 'Q', n: 4, temperature: 0.7, topP: 0.95, maxTokens: 256, stop: ['<end_of_step>'], includeStopStrInOutput: true };

describe('completionRequestProblems', () => {
  it('accepts a sound request, greedy included', () => {
    expect(completionRequestProblems(valid, 64)).toEqual([]);
    expect(completionRequestProblems({ ...valid, n: 1, temperature: 0, topP: 1 }, 64)).toEqual([]);
  });

  it('names every problem of a request the contract lets through with defaults', () => {
    // An empty proto3 message decodes to zeros and empty strings.
    const empty: CompletionRequest = { prompt: '', n: 0, temperature: 0, topP: 0, maxTokens: 0, stop: [''], includeStopStrInOutput: false };
    expect(completionRequestProblems(empty, 64)).toEqual([
      'prompt must not be empty',
      'n must be an integer from 1 to 64, got 0',
      'maxTokens must be a positive integer, got 0',
      'topP must be in (0, 1], got 0',
      'stop strings must not be empty',
    ]);
  });

  it('caps n and refuses NaN', () => {
    expect(completionRequestProblems({ ...valid, n: 65 }, 64)).toEqual(['n must be an integer from 1 to 64, got 65']);
    expect(completionRequestProblems({ ...valid, temperature: Number.NaN }, 64)).toEqual(['temperature must be at least 0, got NaN']);
  });
});
