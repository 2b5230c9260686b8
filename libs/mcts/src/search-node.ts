import type { ParsedStep } from '@rstar/step-format';

/** Why a node ends its trajectory. */
export const TERMINAL_REASONS = ['answer', 'code_errors', 'repeated_step', 'max_depth', 'context_full', 'exhausted', 'no_candidates'] as const;
export type TerminalReason = (typeof TERMINAL_REASONS)[number];

/** A step's execution failure, or `truncated` for a step that hit its token limit. */
export const STEP_ERROR_KINDS = ['syntax', 'runtime', 'timeout', 'memory', 'output_limit', 'internal', 'truncated'] as const;
export type StepErrorKind = (typeof STEP_ERROR_KINDS)[number];

export interface SearchNode {
  id: number;
  parentId: number | null;
  depth: number;
  /** The parsed step; null for the root (the problem itself). */
  step: ParsedStep | null;
  /** The step as it enters the prompts of its descendants (a final code step carries its output). */
  rendered: string;
  /** Full stdout of the cumulative program up to this step (to compute what the next step adds). */
  stdout: string;
  /** What this step's code printed (formatted), or its error message. */
  output: string | null;
  errorKind: StepErrorKind | null;
  /** Whether the step's cumulative program ran in the sandbox, and whether its result came from the cache. */
  executed: boolean;
  cached: boolean;
  consecutiveErrors: number;
  terminal: boolean;
  terminalReason: TerminalReason | null;
  visits: number;
  valueSum: number;
  /** The PPM's score of this step, mapped into (-1, 1); null when no PPM scored it. */
  ppmScore: number | null;
  /** The value a terminal node was given when it was reached. */
  reward: number | null;
  /** For answer nodes graded against a ground truth: whether the answer is right. */
  correct: boolean | null;
  childIds: number[];
}

/**
 * Q of a node: W / N, 0 when unvisited; with a PPM score (PPM-augmented MCTS), the score counts as a
 * first visit: (ppm + W) / (1 + N).
 */
export function qValue(node: Pick<SearchNode, 'visits' | 'valueSum' | 'ppmScore'>): number {
  if (node.ppmScore !== null) return (node.ppmScore + node.valueSum) / (1 + node.visits);
  return node.visits > 0 ? node.valueSum / node.visits : 0;
}

/** The final answer of a node: the `\boxed{}` content of an answer step, else null. */
export function nodeAnswer(node: SearchNode): string | null {
  return node.step?.kind === 'answer' ? node.step.answer : null;
}
