import type { SearchConfig } from '@rstar/mcts';
import { describeSelection, type Benchmark, type ProblemSelection } from './benchmarks.js';
import type { EvalMethod, TraceStep } from './eval-method.js';
import type { RunOptions } from './run-options.js';
import { wilsonInterval, type ConfidenceInterval } from './wilson-interval.js';

/** One line of results.jsonl: a finished problem. */
export interface ProblemResult {
  id: string;
  reference: string;
  answer: string | null;
  correct: boolean;
  q: number | null;
  votes: { answer: string; members: number }[] | null;
  tokens: { prompt: number; completion: number };
  policyRequests: number;
  elapsedMs: number;
  steps: TraceStep[];
  finishedAt: string;
}

/** The model as the report names it. */
export interface ModelInfo {
  /** The served model's name. */
  name: string;
  /** The GGUF file (embedded) or the server URL. */
  source: string;
  description: string;
}

export interface GraderInfo {
  name: string;
  /** Null when it could not be read (said so in the report). */
  version: string | null;
}

export interface EvalReport {
  schema: 'rstar.eval-report.v1';
  benchmark: Benchmark;
  selection: ProblemSelection;
  method: EvalMethod;
  /** The recorded options (what a resume must repeat). */
  options: RunOptions;
  /** The full search config the method ran with. */
  search: SearchConfig;
  model: ModelInfo;
  grader: GraderInfo;
  /** Problems selected. */
  count: number;
  /** Problems finished (all sessions). */
  solved: number;
  correct: number;
  /** correct / solved; null before any problem finished. */
  accuracy: number | null;
  /** Wilson score interval, 95%, of the accuracy over the solved problems. */
  ci95: ConfidenceInterval;
  complete: boolean;
  concurrency: number;
  timing: {
    /** When the first session of this run started (run.json). */
    startedAt: string;
    sessionStartedAt: string;
    finishedAt: string;
    /** Wall time of this session, and the problems it finished. */
    sessionWallMs: number;
    sessionSolved: number;
    /** Wall time of every session of this run together. */
    totalWallMs: number;
    /** Mean of the per-problem times (each from its start to its grade; concurrent problems overlap). */
    meanProblemMs: number | null;
  };
  tokens: {
    prompt: number;
    completion: number;
    meanCompletionPerProblem: number | null;
    counted: string;
  };
  policyRequests: number;
  codeVersion: string | null;
  command: string | null;
}

export interface ReportContext {
  benchmark: Benchmark;
  selection: ProblemSelection;
  method: EvalMethod;
  options: RunOptions;
  search: SearchConfig;
  model: ModelInfo;
  grader: GraderInfo;
  count: number;
  concurrency: number;
  startedAt: string;
  sessionStartedAt: string;
  sessionSolved: number;
  /** Wall time of the earlier sessions of this run (their report's totalWallMs). */
  earlierWallMs: number;
  codeVersion: string | null;
  command: string | null;
}

export function buildReport(ctx: ReportContext, results: readonly ProblemResult[], now: Date, sessionWallMs: number): EvalReport {
  const solved = results.length;
  const correct = results.filter((r) => r.correct).length;
  const sum = (f: (r: ProblemResult) => number): number => results.reduce((s, r) => s + f(r), 0);
  const completion = sum((r) => r.tokens.completion);
  return {
    schema: 'rstar.eval-report.v1',
    benchmark: ctx.benchmark,
    selection: ctx.selection,
    method: ctx.method,
    options: ctx.options,
    search: ctx.search,
    model: ctx.model,
    grader: ctx.grader,
    count: ctx.count,
    solved,
    correct,
    accuracy: solved === 0 ? null : correct / solved,
    ci95: wilsonInterval(correct, solved),
    complete: solved === ctx.count,
    concurrency: ctx.concurrency,
    timing: {
      startedAt: ctx.startedAt,
      sessionStartedAt: ctx.sessionStartedAt,
      finishedAt: now.toISOString(),
      sessionWallMs: Math.round(sessionWallMs),
      sessionSolved: ctx.sessionSolved,
      totalWallMs: Math.round(ctx.earlierWallMs + sessionWallMs),
      meanProblemMs: solved === 0 ? null : Math.round(sum((r) => r.elapsedMs) / solved),
    },
    tokens: {
      prompt: sum((r) => r.tokens.prompt),
      completion,
      meanCompletionPerProblem: solved === 0 ? null : Math.round(completion / solved),
      counted: "the policy server's usage: prompt tokens of every request (cached prefixes included) and every sampled candidate's tokens",
    },
    policyRequests: sum((r) => r.policyRequests),
    codeVersion: ctx.codeVersion,
    command: ctx.command,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function formatReportMarkdown(r: EvalReport): string {
  const accuracy = r.accuracy === null ? 'n/a' : `${pct(r.accuracy)} (${r.correct}/${r.solved})`;
  const selection = describeSelection(r.selection);
  const seconds = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  const lines = [
    `# Evaluation: ${r.benchmark.name}, ${r.method}, ${r.model.name}`,
    '',
    r.complete ? '' : `**Partial run: ${r.solved} of ${r.count} problems finished** (rerun the same command to resume).\n`,
    '| | |',
    '|---|---|',
    `| accuracy | **${accuracy}** |`,
    `| 95% CI (Wilson) | ${pct(r.ci95.low)} – ${pct(r.ci95.high)} |`,
    `| benchmark | ${r.benchmark.name} (${r.benchmark.path})${selection ? `, ${selection}` : ''}: ${r.count} problems |`,
    `| model | ${r.model.name} (${r.model.source}) |`,
    `| method | ${r.method} |`,
    `| options | ${Object.entries(r.options)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')} |`,
    `| grader | ${r.grader.name} ${r.grader.version ?? '(version unknown)'} |`,
    `| concurrency | ${r.concurrency} problems at once |`,
    `| started / finished | ${r.timing.startedAt} / ${r.timing.finishedAt} |`,
    `| wall time | ${seconds(r.timing.totalWallMs)} in all; this session ${seconds(r.timing.sessionWallMs)} for ${r.timing.sessionSolved} problems |`,
    `| mean time per problem | ${seconds(r.timing.meanProblemMs)} |`,
    `| tokens | ${r.tokens.completion} generated (${r.tokens.meanCompletionPerProblem ?? 'n/a'} per problem), ${r.tokens.prompt} prompt; ${r.policyRequests} policy requests |`,
    `| code version | ${r.codeVersion ?? 'unknown'} |`,
    ...(r.command ? [`| command | \`${r.command}\` |`] : []),
    '',
    `Tokens counted: ${r.tokens.counted}.`,
    '',
  ];
  return lines.filter((l, i) => !(l === '' && lines[i - 1] === '')).join('\n');
}
