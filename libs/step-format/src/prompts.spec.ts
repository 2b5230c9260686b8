import { describe, expect, it } from 'vitest';
import { extractBoxed } from './boxed.js';
import { Markers, STEP_STOP_MARKERS } from './markers.js';
import { fewShotPrompt, problemPrompt, sftPrompt, trajectoryPrompt } from './prompts.js';

describe('prompts', () => {
  it('builds the SFT prompt exactly', () => {
    expect(sftPrompt(' What is 1+1? ')).toBe(
      "<|user|>:\nWhat is 1+1?\n<|assistant|>: Let's think step by step and solve the problem with code.",
    );
  });

  it('few-shot prompt: instruction, two demonstrations in the format, then the question last', () => {
    const prompt = fewShotPrompt('What is 2+3?');
    expect(prompt.split(Markers.user).length - 1).toBe(3);
    // Each demonstration runs its program to an output and ends with an answer.
    expect(prompt.split(`${Markers.endOfCode}\n${Markers.output}`).length - 1).toBe(2);
    expect(prompt.split(`${Markers.endOfAnswer}\n\n`).length - 1).toBe(2);
    expect(prompt.trimEnd().endsWith(sftPrompt('What is 2+3?'))).toBe(true);
    for (const lib of ['math', 'sympy', 'numpy', 'scipy']) expect(prompt).toContain(lib);
    // The last boxed answer in the prompt belongs to a demonstration, never to the question.
    expect(extractBoxed(prompt)).toBe('5');
  });

  it('keeps the problem prefix stable across steps (prefix caching)', () => {
    const prefix = problemPrompt('Q', 'few-shot');
    const p1 = trajectoryPrompt(prefix, ['<code>\na = 1\n<end_of_step>']);
    const p2 = trajectoryPrompt(prefix, ['<code>\na = 1\n<end_of_step>', '\nb = 2\n<end_of_step>']);
    expect(p2.startsWith(p1)).toBe(true);
    expect(problemPrompt('Q', 'sft')).toBe(sftPrompt('Q'));
  });

  it('stops generation at the three step markers', () => {
    expect([...STEP_STOP_MARKERS].sort()).toEqual([Markers.endOfAnswer, Markers.endOfCode, Markers.endOfStep].sort());
  });
});
