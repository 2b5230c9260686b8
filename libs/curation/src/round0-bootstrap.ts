import type { GraderClient, SandboxClient } from '@rstar/clients';
import { formatOutput, parseStep, renderStep, sftPrompt } from '@rstar/step-format';
import { convertGsm8kSolution, renderAnswerStep, renderTraceSteps, type ConversionFailure } from './gsm8k-trace.js';
import { SFT_SCHEMA, type SftRecord } from './sft-record.js';

/** A problem with its worked solution and gold answer (a GSM8K train record). */
export interface WorkedProblem {
  id: string;
  problem: string;
  solution: string;
  answer: string;
}

export type DropReason = ConversionFailure | 'no-solution' | 'program-error' | 'no-output' | 'wrong-answer';

export type VerifiedTrace = { ok: true; record: SftRecord; literalFallbacks: number } | { ok: false; reason: DropReason; detail: string };

/**
 * Round 0 (METHOD.md §6a): converts one worked solution, runs its program in the sandbox, and keeps it only
 * when the printed result grades as the gold answer.
 */
export async function verifyWorkedSolution(p: WorkedProblem, deps: { sandbox: SandboxClient; grader: GraderClient }, signal?: AbortSignal): Promise<VerifiedTrace> {
  if (p.solution.trim() === '') return { ok: false, reason: 'no-solution', detail: 'the record has no worked solution' };
  const converted = convertGsm8kSolution(p.problem, p.solution, p.answer);
  if (!converted.ok) return { ok: false, reason: converted.reason, detail: converted.reason };
  const { trace } = converted;
  const program = trace.steps.flatMap((s) => s.code).join('\n');
  const run = await deps.sandbox.run(program, signal);
  if (!run.ok) return { ok: false, reason: 'program-error', detail: `${run.errorKind ?? 'error'}: ${run.errorMessage}` };
  const output = formatOutput(run.stdout);
  if (output === '') return { ok: false, reason: 'no-output', detail: 'the program printed nothing' };
  const answer = answerFromOutput(output);
  const verdict = await deps.grader.grade(answer, p.answer);
  if (!verdict.equivalent) return { ok: false, reason: 'wrong-answer', detail: `printed ${output}, expected ${p.answer}` };

  const texts = renderTraceSteps(trace);
  const steps = texts.map((text, i) => ({ text, output: i === texts.length - 1 ? output : null, q: null, visits: null }));
  steps.push({ text: renderAnswerStep(answer), output: null, q: null, visits: null });
  return {
    ok: true,
    literalFallbacks: trace.literalFallbacks,
    record: {
      schema: SFT_SCHEMA,
      id: `${p.id}-r0`,
      problemId: p.id,
      round: 0,
      source: 'gsm8k-solution',
      prompt: sftPrompt(p.problem),
      completion: renderCompletion(steps),
      steps,
      answer,
    },
  };
}

/**
 * The completion the policy is trained on: the steps as a search renders them into its prompts (the final
 * code step followed by its output), so training text and inference prompts cannot drift apart.
 */
export function renderCompletion(steps: readonly { text: string; output: string | null }[]): string {
  return steps.map((s) => renderStep(parseStep(s.text, null), s.output)).join('');
}

/** `72.0` → `72`; other output as printed (its last line). */
export function answerFromOutput(output: string): string {
  const last = output.trim().split('\n').at(-1)?.trim() ?? '';
  const value = Number(last);
  if (last !== '' && Number.isFinite(value)) {
    const rounded = Math.round(value);
    if (Math.abs(value - rounded) < 1e-6) return String(rounded);
    return String(Number(value.toFixed(6)));
  }
  return last;
}
