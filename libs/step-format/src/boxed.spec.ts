import { describe, expect, it } from 'vitest';
import { extractBoxed } from './boxed.js';

describe('extractBoxed', () => {
  it.each([
    ['The answer is \\boxed{72}.', '72'],
    ['\\boxed{\\frac{1}{2}}', '\\frac{1}{2}'],
    ['first \\boxed{1} then \\boxed{2}', '2'],
    ['nested \\boxed{\\left(1, \\sqrt{2}\\right)} done', '\\left(1, \\sqrt{2}\\right)'],
    ['set \\boxed{\\{1,2\\}}', '\\{1,2\\}'],
    ['spaced \\boxed {x=3}', 'x=3'],
    ['no braces \\boxed 5$', '5'],
    ['fbox \\fbox{7}', '7'],
    ['\\boxed{1} and later \\fbox{9}', '9'],
  ])('%s -> %s', (text, expected) => {
    expect(extractBoxed(text)).toBe(expected);
  });

  it.each([['no box here'], ['unbalanced \\boxed{1 + {2}'], ['\\boxedfoo{3}']])('%s -> null', (text) => {
    expect(extractBoxed(text)).toBeNull();
  });
});
