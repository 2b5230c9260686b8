import { PROMPT_STYLES, type PromptStyle } from '@rstar/step-format';
import { z } from 'zod';

export const SEARCH_METHODS = ['mcts', 'greedy', 'best-of-n', 'beam'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

/**
 * How a child with no visits is scored by UCT. `no-bonus` is the reference's treatment (its Q alone, so
 * high-Q children go first); `explore-first` is textbook UCT (an unvisited child is chosen before any other).
 */
export const UNVISITED_POLICIES = ['no-bonus', 'explore-first'] as const;
export type UnvisitedPolicy = (typeof UNVISITED_POLICIES)[number];

/**
 * The options of one search. Defaults follow METHOD.md where a CPU model can afford it; budgets (rollouts,
 * width, step tokens) are sized for a small CPU model and meant to be raised on GPUs.
 */
export const SearchConfigSchema = z.object({
  method: z.enum(SEARCH_METHODS).default('mcts'),
  /** Rollouts per tree (MCTS), trajectories (best-of-N). METHOD.md: 8-16 in synthesis, 48 in the reference configs. */
  rollouts: z.number().int().min(1).max(10_000).default(8),
  /** Candidates sampled per expansion (n): 12 for data synthesis, 32 at inference in METHOD.md. */
  width: z.number().int().min(1).max(64).default(4),
  /** Beams kept per depth in step-level beam search. */
  beamWidth: z.number().int().min(1).max(64).default(2),
  /** A trajectory deeper than this ends with value -1 (METHOD.md: 16). */
  maxDepth: z.number().int().min(1).max(64).default(16),
  /** UCT exploration constant c (METHOD.md: 2). */
  cPuct: z.number().min(0).max(100).default(2),
  unvisited: z.enum(UNVISITED_POLICIES).default('no-bonus'),
  /** Consecutive code errors that end a trajectory (METHOD.md: 2 in round 1, else 1). */
  maxConsecutiveErrors: z.number().int().min(1).max(16).default(2),
  /**
   * A step that repeats an earlier step of its trajectory (the same reasoning, or the same text) ends it with
   * value -1, as a code error does. Not in METHOD.md: a small policy that repeats itself under greedy decoding
   * repeats forever, and would otherwise spend every step up to maxDepth. Exact words, not words with other
   * numbers: none of the 7,203 round-0 traces repeats a step exactly, 87 repeat one with other numbers.
   */
  endOnRepeatedStep: z.boolean().default(true),
  temperature: z.number().min(0).max(2).default(0.7),
  topP: z.number().gt(0).max(1).default(0.95),
  /** Token budget of one step (METHOD.md: 2048; smaller suits a CPU model). */
  maxStepTokens: z.number().int().min(1).max(8192).default(256),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** `few-shot` for a model not fine-tuned on the step format (round 1), `sft` for one that is. */
  promptStyle: z.enum(PROMPT_STYLES as [PromptStyle, ...PromptStyle[]]).default('few-shot'),
});

export type SearchConfig = z.infer<typeof SearchConfigSchema>;
export type SearchConfigInput = z.input<typeof SearchConfigSchema>;

/** Validates search options, filling defaults; throws a ZodError listing every bad option. */
export function parseSearchConfig(input: SearchConfigInput = {}): SearchConfig {
  return SearchConfigSchema.parse(input);
}
