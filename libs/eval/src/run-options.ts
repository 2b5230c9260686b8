import type { SearchConfig } from '@rstar/mcts';
import type { Benchmark, ProblemSelection } from './benchmarks.js';
import { methodSearchConfig, type EvalMethod, type MethodPlan } from './eval-method.js';

/** The policy evaluated: an embedded model (name or .gguf path) or an OpenAI-compatible server. */
export interface EvaluatedModel {
  /** Embedded model as given (catalog name, .gguf path, trained model directory or registered name); null with a policy URL. */
  model: string | null;
  policyUrl: string | null;
  /** The model name sent to the policy URL, when one was given. */
  policyModel: string | null;
}

/** Everything that decides a run's results; a resumed run must have the same. */
export interface EvalRunSpec {
  benchmark: Benchmark;
  selection: ProblemSelection;
  plan: MethodPlan;
  model: EvaluatedModel;
}

export type RunOptionValue = string | number | boolean | null;
/** Flat option name → value, recorded in run.json and the report. */
export type RunOptions = Record<string, RunOptionValue>;

/** Options that shape every trajectory, and those of sampling (every method but greedy). */
const TRAJECTORY_KEYS: (keyof SearchConfig)[] = ['maxDepth', 'maxConsecutiveErrors', 'endOnRepeatedStep', 'maxStepTokens', 'promptStyle'];
const SAMPLING_KEYS: (keyof SearchConfig)[] = ['temperature', 'topP', 'seed'];

/** The search options each method actually uses (others would only make a resume refuse for nothing). */
const METHOD_SEARCH_KEYS: Record<EvalMethod, (keyof SearchConfig)[]> = {
  greedy: TRAJECTORY_KEYS,
  'maj@k': [...SAMPLING_KEYS, ...TRAJECTORY_KEYS],
  'best-of-n': ['rollouts', ...SAMPLING_KEYS, ...TRAJECTORY_KEYS],
  beam: ['width', 'beamWidth', ...SAMPLING_KEYS, ...TRAJECTORY_KEYS],
  mcts: ['rollouts', 'width', 'cPuct', 'unvisited', ...SAMPLING_KEYS, ...TRAJECTORY_KEYS],
};

export function runOptions(spec: EvalRunSpec): RunOptions {
  const { plan } = spec;
  const search = methodSearchConfig(plan);
  const options: RunOptions = {
    benchmark: spec.benchmark.name,
    benchmarkFile: spec.benchmark.path,
    limit: spec.selection.limit,
    solutionLines: spec.selection.solutionLines,
    method: plan.method,
    ...(plan.method === 'maj@k' ? { k: plan.k } : {}),
    model: spec.model.model,
    policyUrl: spec.model.policyUrl,
    policyModel: spec.model.policyModel,
  };
  for (const key of METHOD_SEARCH_KEYS[plan.method]) options[key] = search[key];
  return options;
}

/** A resumed run whose options differ from the recorded ones. */
export class RunOptionsMismatchError extends Error {
  override readonly name = 'RunOptionsMismatchError';
  constructor(
    readonly outDir: string,
    /** The option that differs (the first one, in recorded order). */
    readonly option: string,
    readonly recorded: RunOptionValue | undefined,
    readonly given: RunOptionValue | undefined,
  ) {
    super(`${outDir} holds a run made with ${option}=${show(recorded)}, not ${show(given)}: give the same options to resume, or another --out`);
  }
}

function show(v: RunOptionValue | undefined): string {
  return v === undefined || v === null ? '(none)' : String(v);
}

/** Throws RunOptionsMismatchError naming the first option that differs. */
export function checkSameOptions(outDir: string, recorded: RunOptions, given: RunOptions): void {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(given)])];
  for (const key of keys) {
    if ((recorded[key] ?? null) !== (given[key] ?? null)) throw new RunOptionsMismatchError(outDir, key, recorded[key], given[key]);
  }
}
