import type { GraderClient, SandboxClient, SandboxRunResult } from '@rstar/clients';
import { parseStep, sftPrompt } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { answerFromOutput, renderCompletion, verifyWorkedSolution, type WorkedProblem } from './round0-bootstrap.js';
import { SftRecordSchema } from './sft-record.js';

/** A sandbox double that "runs" a program by answering with a fixed stdout, and records what it was given. */
function sandboxPrinting(stdout: string, ok = true): SandboxClient & { programs: string[] } {
  const programs: string[] = [];
  return {
    programs,
    run: (code: string): Promise<SandboxRunResult> => {
      programs.push(code);
      return Promise.resolve({ ok, stdout: ok ? stdout : '', errorKind: ok ? null : 'runtime', errorMessage: ok ? '' : 'NameError: x', durationMs: 1, cached: false });
    },
    close: () => Promise.resolve(),
  };
}

/** Numeric equality stands in for math-verify here; the real grader is exercised by the CLI test. */
const numericGrader: GraderClient = {
  grade: (a: string, b: string) => Promise.resolve({ equivalent: Number(a) === Number(b), answerParsed: a, referenceParsed: b, error: null }),
  close: () => Promise.resolve(),
};

const natalia: WorkedProblem = {
  id: 'gsm8k-train-0001',
  problem: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?',
  solution: 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.',
  answer: '72',
};

describe('verifyWorkedSolution', () => {
  it('keeps a trace whose program prints the gold answer, as an SFT record', async () => {
    const sandbox = sandboxPrinting('72.0\n');
    const r = await verifyWorkedSolution(natalia, { sandbox, grader: numericGrader });
    if (!r.ok) throw new Error(r.detail);
    expect(sandbox.programs).toEqual(['clips_may = 48 / 2\nclips_april = 48 + clips_may\nprint(clips_april)']);
    expect(SftRecordSchema.parse(r.record)).toEqual(r.record);
    expect(r.record.prompt).toBe(sftPrompt(natalia.problem));
    expect(r.record.answer).toBe('72');
    expect(r.record.steps.map((s) => s.output)).toEqual([null, '72.0', null]);
    expect(r.record.completion.endsWith('print(clips_april)\n<end_of_code>\n<output>72.0<end_of_output>\n<answer>The answer is \\boxed{72}.<end_of_answer>')).toBe(true);
    // What the policy is trained to write parses back into the steps a search expects.
    expect(r.record.steps.map((s) => parseStep(s.text, null).kind)).toEqual(['code', 'final_code', 'answer']);
  });

  it('drops a trace by reason: wrong answer, program error, nothing printed, no solution', async () => {
    const wrong = await verifyWorkedSolution(natalia, { sandbox: sandboxPrinting('71\n'), grader: numericGrader });
    expect(wrong).toEqual({ ok: false, reason: 'wrong-answer', detail: 'printed 71, expected 72' });
    const failed = await verifyWorkedSolution(natalia, { sandbox: sandboxPrinting('', false), grader: numericGrader });
    expect(failed).toMatchObject({ ok: false, reason: 'program-error', detail: 'runtime: NameError: x' });
    const silent = await verifyWorkedSolution(natalia, { sandbox: sandboxPrinting('  \n'), grader: numericGrader });
    expect(silent).toMatchObject({ ok: false, reason: 'no-output' });
    const none = await verifyWorkedSolution({ ...natalia, solution: '' }, { sandbox: sandboxPrinting('72'), grader: numericGrader });
    expect(none).toMatchObject({ ok: false, reason: 'no-solution' });
  });
});

describe('answerFromOutput and renderCompletion', () => {
  it('writes integral floats as integers and keeps other output', () => {
    expect(answerFromOutput('72.0')).toBe('72');
    expect(answerFromOutput('0.25')).toBe('0.25');
    expect(answerFromOutput('1\n2.5000001')).toBe('2.5');
    expect(answerFromOutput('[1, 2]')).toBe('[1, 2]');
  });
  it('puts the output after the final code step only', () => {
    const completion = renderCompletion([
      { text: '\n<code>\na = 1\n<end_of_step>', output: null },
      { text: '\nprint(a)\n<end_of_code>', output: '1' },
      { text: '<answer>\\boxed{1}<end_of_answer>', output: null },
    ]);
    expect(completion).toBe('\n<code>\na = 1\n<end_of_step>\nprint(a)\n<end_of_code>\n<output>1<end_of_output>\n<answer>\\boxed{1}<end_of_answer>');
  });
});
