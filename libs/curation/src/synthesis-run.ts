import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraderClient, PolicyClient, SandboxClient } from '@rstar/clients';
import { checkSameOptions, readJsonLines, type ProblemRecord, type RunOptions } from '@rstar/eval';
import { GroundTruthEvaluator, runSearch, toSearchReport, type SearchConfig, type SearchReport } from '@rstar/mcts';
import PQueue from 'p-queue';
import { curateTree, type PpmPair } from './tree-curation.js';
import type { SftRecord } from './sft-record.js';

export const SYNTHESIS_FILES = { run: 'run.json', trees: 'trees.jsonl', sft: 'sft.jsonl', pairs: 'pairs.jsonl', summary: 'summary.json' } as const;

/** One line of trees.jsonl: a problem's finished search tree, scored against its reference answer. */
export interface SynthesizedTree {
  problemId: string;
  question: string;
  reference: string;
  round: number;
  report: SearchReport;
  finishedAt: string;
}

/** What a synthesis run made, for its summary.json and the command's last lines. */
export interface SynthesisSummary {
  schema: 'rstar.synthesis-summary.v1';
  round: number;
  attempted: number;
  /** Problems whose tree holds at least one correct answer. */
  covered: number;
  traces: number;
  pairs: number;
  curation: { correctTraces: number; tracesWithCodeErrors: number; pairCandidates: number; pairsBelowMargin: number; pairsTooSimilar: number };
  tokens: { prompt: number; completion: number };
  /** Wall time of this session, and the problems it searched (the others came from an earlier one). */
  sessionWallMs: number;
  sessionSearched: number;
  complete: boolean;
  options: RunOptions;
  finishedAt: string;
}

export interface SynthesisDeps {
  policy: PolicyClient;
  sandbox: SandboxClient;
  grader: GraderClient;
}

export interface SynthesisRunOptions {
  outDir: string;
  round: number;
  /** Problems with reference answers (a problem without one cannot be scored). */
  problems: readonly ProblemRecord[];
  /** The MCTS configuration (METHOD.md §3: 8-16 rollouts, 12 candidates per expansion). */
  search: SearchConfig;
  /** Recorded with the run: a resume with other options is refused. */
  options: RunOptions;
  /** Trees searched at once against the one policy server. */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (p: SynthesisProgress) => void;
  now?: () => Date;
}

export interface SynthesisProgress {
  done: number;
  total: number;
  covered: number;
  traces: number;
  pairs: number;
  completionTokens: number;
}

function isTree(value: unknown): value is SynthesizedTree {
  const v = value as Partial<SynthesizedTree> | null;
  return typeof v?.problemId === 'string' && Array.isArray(v.report?.nodes);
}

/**
 * MCTS with ground-truth rewards over `problems` (METHOD.md §3), `concurrency` trees at a time: each finished tree
 * is appended to trees.jsonl as it ends (a rerun resumes after the last one), and sft.jsonl, pairs.jsonl and
 * summary.json are rebuilt from all the trees at the end (METHOD.md §4), so a tree never counts twice. A search
 * that fails (not by the signal) stops the run with its error, after the finished trees are saved and curated.
 */
export async function runSynthesis(deps: SynthesisDeps, o: SynthesisRunOptions): Promise<SynthesisSummary> {
  const now = o.now ?? (() => new Date());
  const started = performance.now();
  openSynthesisDirectory(o.outDir, o.options, now());
  const treesPath = join(o.outDir, SYNTHESIS_FILES.trees);
  const selected = new Set(o.problems.map((p) => p.id));
  const trees = readJsonLines(treesPath, isTree).filter((t) => selected.has(t.problemId));
  const finished = new Set(trees.map((t) => t.problemId));
  const todo = o.problems.filter((p) => !finished.has(p.id));
  let sessionSearched = 0;
  // Each tree is curated once, as it finishes; the files are written from these in problem order at the end.
  const curated = new Map<string, Curated>();
  // Running totals for the progress line: summing every tree's records after each tree would grow with the run.
  const running = { covered: 0, traces: 0, pairs: 0, completionTokens: 0 };
  const keep = (tree: SynthesizedTree): void => {
    const c = curate(tree);
    curated.set(tree.problemId, c);
    running.covered += c.covered;
    running.traces += c.traces.length;
    running.pairs += c.pairs.length;
    running.completionTokens += c.completionTokens;
  };
  trees.forEach(keep);
  const progress = (): void => o.onProgress?.({ done: trees.length, total: o.problems.length, ...running });

  const failure = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failure.signal]) : failure.signal;
  let firstError: Error | null = null;
  progress();
  const queue = new PQueue({ concurrency: o.concurrency });
  const searchOne = async (problem: ProblemRecord): Promise<void> => {
    if (signal.aborted) return;
    try {
      const reference = problem.answer ?? '';
      const evaluator = new GroundTruthEvaluator(deps.grader, reference);
      const result = await runSearch(problem.problem, o.search, { policy: deps.policy, sandbox: deps.sandbox, evaluator }, { signal });
      const tree: SynthesizedTree = { problemId: problem.id, question: problem.problem, reference, round: o.round, report: toSearchReport(result), finishedAt: now().toISOString() };
      appendFileSync(treesPath, `${JSON.stringify(tree)}\n`);
      trees.push(tree);
      keep(tree);
      sessionSearched++;
      progress();
    } catch (error) {
      if (signal.aborted) return;
      firstError ??= new Error(`problem ${problem.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      failure.abort(firstError);
    }
  };
  await Promise.all(todo.map((p) => queue.add(() => searchOne(p))));

  const inOrder = sumCurated(o.problems.flatMap((p) => curated.get(p.id) ?? []));
  writeLines(join(o.outDir, SYNTHESIS_FILES.sft), inOrder.traces);
  writeLines(join(o.outDir, SYNTHESIS_FILES.pairs), inOrder.pairs);
  const summary: SynthesisSummary = {
    schema: 'rstar.synthesis-summary.v1',
    round: o.round,
    attempted: trees.length,
    covered: inOrder.covered,
    traces: inOrder.traces.length,
    pairs: inOrder.pairs.length,
    curation: inOrder.counts,
    tokens: { prompt: inOrder.promptTokens, completion: inOrder.completionTokens },
    sessionWallMs: Math.round(performance.now() - started),
    sessionSearched,
    complete: trees.length === o.problems.length,
    options: o.options,
    finishedAt: now().toISOString(),
  };
  writeFileSync(join(o.outDir, SYNTHESIS_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  if (firstError !== null) throw firstError as Error;
  return summary;
}

/** Records the options of a new run, or refuses to resume one made with others (RunOptionsMismatchError). */
export function openSynthesisDirectory(outDir: string, options: RunOptions, now: Date = new Date()): void {
  const runPath = join(outDir, SYNTHESIS_FILES.run);
  if (existsSync(runPath)) {
    const recorded = JSON.parse(readFileSync(runPath, 'utf8')) as { options: RunOptions };
    checkSameOptions(outDir, recorded.options, options);
    return;
  }
  if (existsSync(join(outDir, SYNTHESIS_FILES.trees))) throw new Error(`${outDir} holds ${SYNTHESIS_FILES.trees} but no ${SYNTHESIS_FILES.run}: its options are unknown, so it cannot be resumed; use another --out`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(runPath, `${JSON.stringify({ schema: 'rstar.synthesis-run.v1', options, createdAt: now.toISOString() }, null, 2)}\n`);
}

interface Curated {
  traces: SftRecord[];
  pairs: PpmPair[];
  covered: number;
  counts: SynthesisSummary['curation'];
  promptTokens: number;
  completionTokens: number;
}

function curate(t: SynthesizedTree): Curated {
  const { traces, pairs, counts } = curateTree({ problemId: t.problemId, question: t.question, round: t.round, nodes: t.report.nodes });
  const covered = t.report.nodes.some((n) => n.correct === true) ? 1 : 0;
  return { traces, pairs, covered, counts, promptTokens: t.report.stats.promptTokens, completionTokens: t.report.stats.completionTokens };
}

function sumCurated(parts: readonly Curated[]): Curated {
  const sum: Curated = {
    traces: [],
    pairs: [],
    covered: 0,
    counts: { correctTraces: 0, tracesWithCodeErrors: 0, pairCandidates: 0, pairsBelowMargin: 0, pairsTooSimilar: 0 },
    promptTokens: 0,
    completionTokens: 0,
  };
  for (const part of parts) {
    sum.traces.push(...part.traces);
    sum.pairs.push(...part.pairs);
    sum.covered += part.covered;
    sum.promptTokens += part.promptTokens;
    sum.completionTokens += part.completionTokens;
    for (const key of Object.keys(sum.counts) as (keyof Curated['counts'])[]) sum.counts[key] += part.counts[key];
  }
  return sum;
}

function writeLines(path: string, records: readonly unknown[]): void {
  writeFileSync(`${path}.tmp`, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  renameSync(`${path}.tmp`, path);
}
