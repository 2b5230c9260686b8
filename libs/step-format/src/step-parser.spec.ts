import { describe, expect, it } from 'vitest';
import { Markers } from './markers.js';
import { cumulativeProgram, formatOutput, outputDelta, parseStep, renderStep, stepIdentity } from './step-parser.js';

describe('parseStep', () => {
  it('parses a first code step, stripping <code> and keeping the stop marker', () => {
    const step = parseStep('<code>\n# Step 1: April sales.\napril = 48\n', Markers.endOfStep);
    expect(step.kind).toBe('code');
    expect(step.text.endsWith(Markers.endOfStep)).toBe(true);
    expect(step.code).toBe('# Step 1: April sales.\napril = 48');
    expect(step.reasoning).toBe('Step 1: April sales.');
    expect(step.answer).toBeNull();
  });

  it('does not append the stop marker twice when the server included it', () => {
    const step = parseStep(`\nx = 1\n${Markers.endOfStep}`, Markers.endOfStep);
    expect(step.text).toBe(`\nx = 1\n${Markers.endOfStep}`);
  });

  it('recognises the final code step', () => {
    const step = parseStep('\n# Step 3: total\nprint(april + may)\n', Markers.endOfCode);
    expect(step.kind).toBe('final_code');
    expect(step.code).toContain('print(april + may)');
  });

  it('parses an answer step and its boxed answer', () => {
    const step = parseStep(`<output>72<end_of_output>\n${Markers.answer}She sold \\boxed{72} clips.`, Markers.endOfAnswer);
    expect(step.kind).toBe('answer');
    expect(step.answer).toBe('72');
    expect(step.code).toBe('');
    expect(step.reasoning).toBe('She sold \\boxed{72} clips.');
  });

  it('a \\boxed{} in a code step does not make it an answer: the code runs', () => {
    const printing = parseStep('\nx = 5\nprint(f"\\\\boxed{{{x}}}")\n', Markers.endOfCode);
    expect(printing).toMatchObject({ kind: 'final_code', code: 'x = 5\nprint(f"\\\\boxed{{{x}}}")', answer: null });
    expect(parseStep('# so the answer is \\boxed{5}\n', Markers.endOfStep)).toMatchObject({ kind: 'code', answer: null });
  });

  it('keeps the indentation of a first code line (a loop body continued), dropping blank lines around the code', () => {
    const step = parseStep('\n\n    total += x\n    print(total)\n\n', Markers.endOfStep);
    expect(step.code).toBe('    total += x\n    print(total)');
    expect(cumulativeProgram([parseStep('total = 0\nfor x in [1, 2]:\n', Markers.endOfStep), step])).toBe('total = 0\nfor x in [1, 2]:\n    total += x\n    print(total)');
  });

  it('an answer step without \\boxed{} has no answer', () => {
    const step = parseStep(`${Markers.answer}seventy-two`, Markers.endOfAnswer);
    expect(step.kind).toBe('answer');
    expect(step.answer).toBeNull();
  });

  it('marks a step that hit the token limit as truncated, with no code to run', () => {
    const step = parseStep('x = (1 + ', null);
    expect(step.kind).toBe('truncated');
    expect(step.code).toBe('');
  });

  it('a step stopped by a new user turn is truncated, without the stop string', () => {
    const step = parseStep('x = 1\n\n<|user|>', '<|user|>');
    expect(step.kind).toBe('truncated');
    expect(step.text).toBe('x = 1\n\n');
    expect(parseStep(`${Markers.answer}so \\boxed{4}\n<|user|>`, '<|user|>')).toMatchObject({ kind: 'answer', answer: '4' });
    expect(parseStep('so \\boxed{4}\n<|user|>', '<|user|>')).toMatchObject({ kind: 'truncated', answer: null });
  });

  it('cuts code where the model started writing its own output', () => {
    const step = parseStep('print(3)\n<output>3<end_of_output>\n', Markers.endOfCode);
    expect(step.code).toBe('print(3)');
  });
});

describe('programs and outputs', () => {
  it('assembles the cumulative program from step codes in order', () => {
    const steps = [parseStep('a = 1\n', Markers.endOfStep), parseStep('b = a + 1\nprint(b)\n', Markers.endOfCode)];
    expect(cumulativeProgram(steps)).toBe('a = 1\nb = a + 1\nprint(b)');
  });

  it('rounds long decimals and truncates long output', () => {
    expect(formatOutput('0.3333333333333333\n')).toBe('0.333333');
    expect(formatOutput('2.5 and 1e-3')).toBe('2.5 and 1e-3');
    // Small values keep their significant digits instead of rounding to 0.
    expect(formatOutput('1.23456789e-10 and 1.2e-10')).toBe('1.234568e-10 and 1.2e-10');
    expect(formatOutput('0.000000012345678')).toBe('1.234568e-8');
    expect(formatOutput('-2.0000000001e+20')).toBe('-2e+20');
    expect(formatOutput('x'.repeat(2000)).length).toBe(1027);
  });

  it('computes what a step added to stdout', () => {
    expect(outputDelta('1\n', '1\n2\n')).toBe('2\n');
    expect(outputDelta('1\n', 'other\n')).toBe('other\n');
  });

  it('renders a final code step with its output for the next prompt', () => {
    const step = parseStep('print(72)\n', Markers.endOfCode);
    expect(renderStep(step, '72')).toBe(`print(72)\n${Markers.endOfCode}\n<output>72<end_of_output>\n`);
    const mid = parseStep('a = 1\n', Markers.endOfStep);
    expect(renderStep(mid, 'ignored')).toBe(mid.text);
  });

  it('identifies steps that differ only in whitespace', () => {
    expect(stepIdentity(parseStep('a = 1\n', Markers.endOfStep))).toBe(stepIdentity(parseStep('a  =  1', Markers.endOfStep)));
  });
});
