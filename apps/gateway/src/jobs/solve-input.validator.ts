import { parseSearchConfig, type SearchConfig, type SearchConfigInput } from '@rstar/mcts';
import { ZodError } from 'zod';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { SolveInput } from './solve-job.types.js';

export interface SolveLimits {
  maxProblemChars: number;
  maxRollouts: number;
  maxWidth: number;
}

/** Longest reference answer accepted, in characters. */
export const MAX_REFERENCE_ANSWER_CHARS = 1000;

/** Where an option of SearchConfig sits in SolveInput (the budget is nested). */
const INPUT_FIELD: Partial<Record<keyof SearchConfig, string>> = {
  rollouts: 'budget.rollouts',
  width: 'budget.width',
};

function badInput(field: string, message: string): GatewayError {
  return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, message, { field });
}

function checkBudget(field: string, value: number | null | undefined, max: number): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > max) throw badInput(field, `${field} must be from 1 to ${max}, not ${value}`);
}

/**
 * The search options of a solve: the gateway's budget limits first (they are tighter than the library's), then
 * the library's own validation (parseSearchConfig), which also fills the defaults. BAD_USER_INPUT names the field.
 */
export function searchConfigOf(input: SolveInput, limits: SolveLimits): SearchConfig {
  checkBudget('budget.rollouts', input.budget?.rollouts, limits.maxRollouts);
  checkBudget('budget.width', input.budget?.width, limits.maxWidth);
  const given: SearchConfigInput = {
    method: input.method,
    rollouts: input.budget?.rollouts ?? undefined,
    width: input.budget?.width ?? undefined,
    seed: input.seed ?? undefined,
    temperature: input.temperature ?? undefined,
    maxDepth: input.maxDepth ?? undefined,
    cPuct: input.cPuct ?? undefined,
    beamWidth: input.beamWidth ?? undefined,
    promptStyle: input.promptStyle ?? undefined,
  };
  try {
    const config = parseSearchConfig(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
    // Defaults of the library may exceed a deployment's limits.
    checkBudget('budget.rollouts', config.rollouts, limits.maxRollouts);
    checkBudget('budget.width', config.width, limits.maxWidth);
    return config;
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const issue = error.issues[0];
    const key = String(issue?.path[0] ?? 'input') as keyof SearchConfig;
    const field = INPUT_FIELD[key] ?? key;
    throw badInput(field, `${field}: ${issue?.message ?? 'invalid value'}`);
  }
}

/** A problem statement given inline: present, not blank, not longer than the limit (INPUT_TOO_LARGE). */
export function checkProblemText(problem: string, maxChars: number, field = 'problem'): string {
  const text = problem.trim();
  if (text === '') throw badInput(field, `${field} must not be empty`);
  if (text.length > maxChars) {
    throw new GatewayError(GatewayErrorCode.INPUT_TOO_LARGE, `${field} has ${text.length} characters; the limit is ${maxChars}`, { field, limit: maxChars });
  }
  return text;
}

export function checkReferenceAnswer(answer: string | null | undefined): string | null {
  if (answer === null || answer === undefined) return null;
  if (answer.length > MAX_REFERENCE_ANSWER_CHARS) {
    throw new GatewayError(GatewayErrorCode.INPUT_TOO_LARGE, `referenceAnswer is longer than ${MAX_REFERENCE_ANSWER_CHARS} characters`, {
      field: 'referenceAnswer',
      limit: MAX_REFERENCE_ANSWER_CHARS,
    });
  }
  return answer.trim() === '' ? null : answer;
}

/** Exactly one of `problem` and `problemId`. */
export function problemSource(input: Pick<SolveInput, 'problem' | 'problemId'>): { problem: string } | { problemId: string } {
  const hasText = input.problem !== null && input.problem !== undefined;
  const hasId = input.problemId !== null && input.problemId !== undefined;
  if (hasText === hasId) throw badInput(hasText ? 'problemId' : 'problem', 'give either problem or problemId (exactly one)');
  return hasText ? { problem: input.problem as string } : { problemId: input.problemId as string };
}
