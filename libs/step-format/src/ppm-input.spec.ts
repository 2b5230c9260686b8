import { describe, expect, it } from 'vitest';
import { ppmInput } from './ppm-input.js';
import { sftPrompt } from './prompts.js';

describe('ppmInput', () => {
  const steps = ['<code>\n# Step 1: add\nx = 1 + 1\n<end_of_step>\n', '# Step 2: print\nprint(x)\n<end_of_code>\n<output>2<end_of_output>\n'];

  it('lays out the question and the steps as an SFT solution, the scored step last', () => {
    const text = ppmInput('  What is 1 + 1?\n', steps);
    expect(text).toBe(`<|user|>:\nWhat is 1 + 1?\n<|assistant|>: Let's think step by step and solve the problem with code.\n${steps[0]}${steps[1]}`);
    expect(text.startsWith(sftPrompt('What is 1 + 1?'))).toBe(true);
    expect(text.endsWith(steps[1]!)).toBe(true);
  });

  it('gives siblings the same prefix, so the server can share it', () => {
    const a = ppmInput('Q', [steps[0]!, 'print(1)\n<end_of_code>\n']);
    const b = ppmInput('Q', [steps[0]!, 'print(2)\n<end_of_code>\n']);
    const prefix = ppmInput('Q', [steps[0]!]);
    expect(a.startsWith(prefix) && b.startsWith(prefix)).toBe(true);
  });
});
