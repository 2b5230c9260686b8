import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraderClient, PolicyClient, SandboxClient } from '@rstar/clients';
import { openResumableDirectory, readJsonLines, type ProblemRecord, type RunOptions } from '@rstar/eval';
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
  /** 2: the extra search of a problem the first left unsolved (it replaces that tree); absent: the first. */
  pass?: 2;
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
  /** The second pass over the problems the first left unsolved (`extraRollouts` each): searched, and now covered. */
  extra: { rollouts: number; attempted: number; covered: number };
  traces: number;
  pairs: number;
  curation: { correctTraces: number; tracesWithCodeErrors: number; pairCandidates: number; pairsBelowMargin: number; pairsTooSimilar: number };
  tokens: { prompt: number; completion: number };
  /** Wall time of all sessions of the run (resumed ones added up), and of this session. */
  wallMs: number;
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
  /**
   * Rollouts of a second search of each problem the first left unsolved (METHOD.md §3: more for unsolved
   * problems); 0: none. Not a resume option: a finished run can be given a second pass later.
   */
  extraRollouts?: number;
  signal?: AbortSignal;
  onProgress?: (p: SynthesisProgress) => void;
  now?: () => Date;
}

export interface SynthesisProgress {
  /** 1: every problem; 2: the extra searches of the unsolved ones (done and total count that pass). */
  pass: 1 | 2;
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
  const extraRollouts = o.extraRollouts ?? 0;
  if (!Number.isInteger(extraRollouts) || extraRollouts < 0) throw new RangeError('extraRollouts must be an integer >= 0');
  const selected = new Set(o.problems.map((p) => p.id));
  const stored = readJsonLines(treesPath, isTree).filter((t) => selected.has(t.problemId));
  // The tree that counts for a problem: its extra search when it has one (the first found no correct answer).
  const firstPass = new Map(stored.filter((t) => t.pass !== 2).map((t) => [t.problemId, t]));
  const secondPass = new Map(stored.filter((t) => t.pass === 2).map((t) => [t.problemId, t]));
  let sessionSearched = 0;
  // Each tree is curated once, as it finishes; the files are written from these in problem order at the end.
  const curated = new Map<string, Curated>();
  // Running totals for the progress line: summing every tree's records after each tree would grow with the run.
  const running = { covered: 0, traces: 0, pairs: 0, completionTokens: 0 };
  const count = (part: Curated, sign: 1 | -1): void => {
    running.covered += sign * part.covered;
    running.traces += sign * part.traces.length;
    running.pairs += sign * part.pairs.length;
  };
  const keep = (tree: SynthesizedTree): void => {
    const replaced = curated.get(tree.problemId);
    if (replaced) count(replaced, -1);
    const c = curate(tree);
    curated.set(tree.problemId, c);
    count(c, 1);
    running.completionTokens += c.completionTokens;
  };
  for (const t of firstPass.values()) keep(t);
  for (const t of secondPass.values()) keep(t);

  const failure = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failure.signal]) : failure.signal;
  let firstError: Error | null = null;
  const queue = new PQueue({ concurrency: o.concurrency });
  const searchAll = async (pass: 1 | 2, todo: readonly ProblemRecord[], search: SearchConfig, done: () => number, total: number): Promise<void> => {
    const progress = (): void => o.onProgress?.({ pass, done: done(), total, ...running });
    progress();
    const searchOne = async (problem: ProblemRecord): Promise<void> => {
      if (signal.aborted) return;
      try {
        const reference = problem.answer ?? '';
        const evaluator = new GroundTruthEvaluator(deps.grader, reference);
        const result = await runSearch(problem.problem, search, { policy: deps.policy, sandbox: deps.sandbox, evaluator }, { signal });
        const tree: SynthesizedTree = { problemId: problem.id, question: problem.problem, reference, round: o.round, ...(pass === 2 ? { pass } : {}), report: toSearchReport(result), finishedAt: now().toISOString() };
        appendFileSync(treesPath, `${JSON.stringify(tree)}\n`);
        (pass === 2 ? secondPass : firstPass).set(problem.id, tree);
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
  };
  await searchAll(1, o.problems.filter((p) => !firstPass.has(p.id)), o.search, () => firstPass.size, o.problems.length);
  // The second pass, once every problem has its first tree: the unsolved ones, searched again with more rollouts
  // and another seed.
  const unsolved = (): ProblemRecord[] => o.problems.filter((p) => firstPass.has(p.id) && curated.get(p.id)?.covered === 0 && !secondPass.has(p.id));
  const firstPassDone = firstPass.size === o.problems.length;
  const extraTotal = secondPass.size + (firstPassDone ? unsolved().length : 0);
  if (extraRollouts > 0 && firstPassDone && !signal.aborted) {
    await searchAll(2, unsolved(), { ...o.search, rollouts: extraRollouts, seed: o.search.seed + 1 }, () => secondPass.size, extraTotal);
  }

  const summaryPath = join(o.outDir, SYNTHESIS_FILES.summary);
  const earlier = readEarlierWallMs(summaryPath);
  const sessionWallMs = Math.round(performance.now() - started);
  const inOrder = sumCurated(o.problems.flatMap((p) => curated.get(p.id) ?? []));
  writeLines(join(o.outDir, SYNTHESIS_FILES.sft), inOrder.traces);
  writeLines(join(o.outDir, SYNTHESIS_FILES.pairs), inOrder.pairs);
  const summary: SynthesisSummary = {
    schema: 'rstar.synthesis-summary.v1',
    round: o.round,
    attempted: firstPass.size,
    covered: inOrder.covered,
    extra: { rollouts: extraRollouts, attempted: secondPass.size, covered: [...secondPass.values()].filter((t) => curated.get(t.problemId)?.covered === 1).length },
    traces: inOrder.traces.length,
    pairs: inOrder.pairs.length,
    curation: inOrder.counts,
    tokens: { prompt: inOrder.promptTokens, completion: inOrder.completionTokens },
    wallMs: earlier + sessionWallMs,
    sessionWallMs,
    sessionSearched,
    complete: firstPassDone && (extraRollouts === 0 || unsolved().length === 0),
    options: o.options,
    finishedAt: now().toISOString(),
  };
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  if (firstError !== null) throw firstError as Error;
  return summary;
}

/** Records the options of a new run, or refuses to resume one made with others (RunOptionsMismatchError). */
export function openSynthesisDirectory(outDir: string, options: RunOptions, now: Date = new Date()): void {
  openResumableDirectory(outDir, { schema: 'rstar.synthesis-run.v1', options, dataFile: SYNTHESIS_FILES.trees }, now);
}

/** The wall time an earlier session of the run recorded (0 for a new run). */
function readEarlierWallMs(summaryPath: string): number {
  if (!existsSync(summaryPath)) return 0;
  try {
    const earlier = JSON.parse(readFileSync(summaryPath, 'utf8')) as Partial<SynthesisSummary>;
    return earlier.wallMs ?? earlier.sessionWallMs ?? 0;
  } catch {
    return 0;
  }
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
