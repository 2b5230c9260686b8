import { parseSearchConfig, UNVISITED_POLICIES, type SearchConfig, type SearchConfigInput } from '@rstar/mcts';
import { PROMPT_STYLES } from '@rstar/step-format';
import { Option, type Command } from 'commander';
import { ZodError } from 'zod';
import { numberOption, usageErrorFrom } from './cli-errors.js';

/** The search flags shared by `solve` and `eval` (each declares its own --method). */
export interface SearchFlags {
  rollouts?: number;
  width?: number;
  beamWidth?: number;
  maxDepth?: number;
  cPuct?: number;
  unvisited?: string;
  maxErrors?: number;
  allowRepeatedSteps?: boolean;
  temperature?: number;
  topP?: number;
  maxStepTokens?: number;
  seed?: number;
  promptStyle?: string;
}

/** Adds the search flags; defaults shown in --help come from the search config schema, the one place they are set. */
export function addSearchOptions(command: Command): Command {
  const num = numberOption;
  const d = parseSearchConfig();
  return command
    .option('--rollouts <n>', `MCTS rollouts / best-of-N trajectories (default: ${d.rollouts})`, num('--rollouts'))
    .option('--width <n>', `candidate steps sampled per expansion (default: ${d.width})`, num('--width'))
    .option('--beam-width <n>', `beams kept per depth in beam search (default: ${d.beamWidth})`, num('--beam-width'))
    .option('--max-depth <n>', `a step deeper than n that is not an answer ends its trajectory with value -1 (default: ${d.maxDepth})`, num('--max-depth'))
    .option('--c-puct <c>', `UCT exploration constant (default: ${d.cPuct})`, num('--c-puct'))
    .addOption(new Option('--unvisited <policy>', `UCT score of unvisited children (default: ${d.unvisited}, as the reference)`).choices(UNVISITED_POLICIES))
    .option('--max-errors <n>', `consecutive code errors that end a trajectory (default: ${d.maxConsecutiveErrors})`, num('--max-errors'))
    .option('--allow-repeated-steps', 'let a trajectory go on after a step that repeats an earlier one (default: it ends there with value -1)')
    .option('--temperature <t>', `sampling temperature (default: ${d.temperature})`, num('--temperature'))
    .option('--top-p <p>', `nucleus sampling (default: ${d.topP})`, num('--top-p'))
    .option('--max-step-tokens <n>', `token budget of one step (default: ${d.maxStepTokens})`, num('--max-step-tokens'))
    .option('--seed <n>', `search seed (default: ${d.seed})`, num('--seed'))
    .addOption(new Option('--prompt-style <style>', `few-shot (a model not fine-tuned on the format) or sft (default: ${d.promptStyle})`).choices(PROMPT_STYLES));
}

/** The search config of the flags (and a search method); bad values are one usage error naming every flag. */
export function searchConfigFrom(method: string | undefined, o: SearchFlags): SearchConfig {
  const input: SearchConfigInput = {
    method: method as SearchConfigInput['method'],
    rollouts: o.rollouts,
    width: o.width,
    beamWidth: o.beamWidth,
    maxDepth: o.maxDepth,
    cPuct: o.cPuct,
    unvisited: o.unvisited as SearchConfigInput['unvisited'],
    maxConsecutiveErrors: o.maxErrors,
    endOnRepeatedStep: o.allowRepeatedSteps === true ? false : undefined,
    temperature: o.temperature,
    topP: o.topP,
    maxStepTokens: o.maxStepTokens,
    seed: o.seed,
    promptStyle: o.promptStyle as SearchConfigInput['promptStyle'],
  };
  try {
    return parseSearchConfig(input);
  } catch (e) {
    if (e instanceof ZodError) throw usageErrorFrom(e);
    throw e;
  }
}
