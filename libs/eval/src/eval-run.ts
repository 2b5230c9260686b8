import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { loadProblems } from './benchmarks.js';
import { buildReport, formatReportMarkdown, type EvalReport, type GraderInfo, type ModelInfo, type ProblemResult, type ReportContext } from './eval-report.js';
import { methodSearchConfig, solveProblem, type SolveDeps } from './eval-method.js';
import type { ProblemRecord } from './problem-file.js';
import { checkSameOptions, runOptions, type EvalRunSpec, type RunOptions } from './run-options.js';

export const RESULTS_FILE = 'results.jsonl';
export const RUN_FILE = 'run.json';
export const REPORT_JSON = 'report.json';
export const REPORT_MD = 'report.md';

interface RunRecord {
  schema: 'rstar.eval-run.v1';
  options: RunOptions;
  createdAt: string;
}

export interface EvalProgress {
  done: number;
  total: number;
  correct: number;
  /** The problem that just finished; null for the first report (finished ones of an earlier session counted). */
  last: ProblemResult | null;
}

export interface EvalRunOptions {
  outDir: string;
  /** The selected problems, when the caller has loaded them already (loadProblems). */
  problems?: ProblemRecord[];
  /** Problems solved at once against the one policy server (it batches their requests). */
  concurrency: number;
  model: ModelInfo;
  grader: GraderInfo;
  codeVersion: string | null;
  command: string | null;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
  now?: () => Date;
}

export interface EvalOutcome {
  report: EvalReport;
  /** Finished problems carried over from an earlier session. */
  resumed: number;
  /** Stopped by the signal before every problem finished. */
  interrupted: boolean;
}

/**
 * Prepares (or reopens) an output directory for `spec`: a new one records the options in run.json; an existing
 * one must have been made with the same options (RunOptionsMismatchError otherwise). Cheap: call it before the
 * model loads so a wrong resume fails at once.
 */
export function openRunDirectory(outDir: string, spec: EvalRunSpec, now: Date = new Date()): RunRecord {
  return openResumableDirectory(outDir, { schema: 'rstar.eval-run.v1', options: runOptions(spec), dataFile: RESULTS_FILE }, now);
}

/**
 * The run.json of a resumable run directory (eval results, synthesis trees): a new run records its options; a
 * run resumed with other options is refused (RunOptionsMismatchError), and so is a directory that holds data
 * (`dataFile`) without a run.json.
 */
export function openResumableDirectory<S extends string>(outDir: string, run: { schema: S; options: RunOptions; dataFile: string }, now: Date = new Date()): { schema: S; options: RunOptions; createdAt: string } {
  const runPath = join(outDir, RUN_FILE);
  if (existsSync(runPath)) {
    const recorded = JSON.parse(readFileSync(runPath, 'utf8')) as { schema: S; options: RunOptions; createdAt: string };
    checkSameOptions(outDir, recorded.options, run.options);
    return recorded;
  }
  if (existsSync(join(outDir, run.dataFile))) throw new Error(`${outDir} holds ${run.dataFile} but no ${RUN_FILE}: its options are unknown, so it cannot be resumed; use another --out`);
  mkdirSync(outDir, { recursive: true });
  const record = { schema: run.schema, options: run.options, createdAt: now.toISOString() };
  writeFileSync(runPath, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * The finished records of an append-only JSONL file (results of a run, trees of a synthesis). A line cut by a
 * killed run is dropped from the file too, so that the next append starts on a line of its own; its item is
 * done again.
 */
export function readJsonLines<T>(path: string, isRecord: (value: unknown) => value is T): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const records: T[] = [];
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRecord(value)) {
        records.push(value);
        kept.push(line);
      }
    } catch {
      // Cut by an interrupted run.
    }
  }
  const clean = kept.map((l) => `${l}\n`).join('');
  if (clean !== text) {
    writeFileSync(`${path}.tmp`, clean);
    renameSync(`${path}.tmp`, path);
  }
  return records;
}

/** Finished results of an earlier session of an evaluation. */
export function readFinishedResults(outDir: string): ProblemResult[] {
  const isResult = (value: unknown): value is ProblemResult => {
    const r = value as Partial<ProblemResult> | null;
    return typeof r?.id === 'string' && typeof r.correct === 'boolean';
  };
  return readJsonLines(join(outDir, RESULTS_FILE), isResult);
}

/** The wall time an earlier session's report recorded; 0 when there is none. */
function earlierWallMs(outDir: string): number {
  try {
    const report = JSON.parse(readFileSync(join(outDir, REPORT_JSON), 'utf8')) as Partial<EvalReport>;
    return report.timing?.totalWallMs ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Evaluates `spec` into `outDir`: solves the problems not finished yet, `concurrency` at a time, appending each
 * result to results.jsonl as it finishes and rewriting report.json / report.md after each. A search that fails
 * (not by the signal) stops the run with its error, after the finished results are saved.
 */
export async function runEvaluation(spec: EvalRunSpec, deps: SolveDeps, options: EvalRunOptions): Promise<EvalOutcome> {
  const now = options.now ?? (() => new Date());
  const sessionStart = now();
  const started = performance.now();
  const run = openRunDirectory(options.outDir, spec, sessionStart);
  const problems = options.problems ?? (await loadProblems(spec.benchmark, spec.selection));
  const selected = new Set(problems.map((p) => p.id));
  const results = readFinishedResults(options.outDir).filter((r) => selected.has(r.id));
  const finished = new Set(results.map((r) => r.id));
  const resumed = results.length;
  const todo = problems.filter((p) => !finished.has(p.id));

  const order = new Map(problems.map((p, i) => [p.id, i]));
  const ctx: ReportContext = {
    benchmark: spec.benchmark,
    selection: spec.selection,
    method: spec.plan.method,
    options: run.options,
    search: methodSearchConfig(spec.plan),
    model: options.model,
    grader: options.grader,
    count: problems.length,
    concurrency: options.concurrency,
    startedAt: run.createdAt,
    sessionStartedAt: sessionStart.toISOString(),
    sessionSolved: 0,
    earlierWallMs: resumed > 0 ? earlierWallMs(options.outDir) : 0,
    codeVersion: options.codeVersion,
    command: options.command,
  };
  const writeReport = (): EvalReport => {
    const sorted = [...results].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    const report = buildReport(ctx, sorted, now(), performance.now() - started);
    writeFileSync(join(options.outDir, REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.outDir, REPORT_MD), formatReportMarkdown(report));
    return report;
  };
  const progress = (last: ProblemResult | null): void =>
    options.onProgress?.({ done: results.length, total: problems.length, correct: results.filter((r) => r.correct).length, last });

  // A failed search stops the others too; the external signal is the user's interrupt.
  const failure = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failure.signal]) : failure.signal;
  let firstError: Error | null = null;
  progress(null);
  const queue = new PQueue({ concurrency: options.concurrency });
  const solveOne = async (record: ProblemRecord): Promise<void> => {
    if (signal.aborted) return;
    try {
      const outcome = await solveProblem(record, spec.plan, deps, signal);
      const result: ProblemResult = { id: record.id, reference: record.answer ?? '', ...outcome, finishedAt: now().toISOString() };
      appendFileSync(join(options.outDir, RESULTS_FILE), `${JSON.stringify(result)}\n`);
      results.push(result);
      ctx.sessionSolved++;
      writeReport();
      progress(result);
    } catch (error) {
      if (signal.aborted) return;
      const failed = new Error(`problem ${record.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      firstError ??= failed;
      failure.abort(failed);
    }
  };
  await Promise.all(todo.map((record) => queue.add(() => solveOne(record))));
  const report = writeReport();
  if (firstError !== null) throw firstError as Error;
  return { report, resumed, interrupted: !report.complete };
}
