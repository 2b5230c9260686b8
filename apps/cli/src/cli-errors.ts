import type { RunOptionsMismatchError } from '@rstar/eval';
import { InvalidArgumentError } from 'commander';
import type { ZodError } from 'zod';

/** Bad input from the user: one line on stderr and exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** Maps config field names to the flags that set them, for error messages. */
export const FLAG_OF: Record<string, string> = {
  method: '--method',
  rollouts: '--rollouts',
  width: '--width',
  beamWidth: '--beam-width',
  maxDepth: '--max-depth',
  cPuct: '--c-puct',
  unvisited: '--unvisited',
  maxConsecutiveErrors: '--max-errors',
  temperature: '--temperature',
  topP: '--top-p',
  maxStepTokens: '--max-step-tokens',
  seed: '--seed',
  promptStyle: '--prompt-style',
  endOnRepeatedStep: '--allow-repeated-steps',
  policyUrl: '--policy-url',
  policyModel: '--policy-model',
};

/** A resumed run (eval, synth) given other options than it was made with: one line naming the flag. */
export function resumeMismatchError(outDir: string, e: RunOptionsMismatchError, flags: Record<string, string> = {}): CliUsageError {
  const flag = flags[e.option] ?? FLAG_OF[e.option] ?? `--${e.option}`;
  return new CliUsageError(`${outDir} holds a run made with ${flag} ${String(e.recorded ?? '(none)')}, not ${String(e.given ?? '(none)')}: give the same options to resume, or another --out`);
}

/** One line naming every bad option, e.g. "--rollouts: Too small: expected number to be >=1". */
export function usageErrorFrom(error: ZodError): CliUsageError {
  const parts = error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `${FLAG_OF[key] ?? key}: ${i.message}`;
  });
  return new CliUsageError(parts.join('; '));
}

/** Commander argument parser for numbers, with a clear message for anything else. */
export function numberOption(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number.`);
    return n;
  };
}
