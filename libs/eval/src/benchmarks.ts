import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readProblemFile, type ProblemLineError, type ProblemRecord } from './problem-file.js';

/** The shared benchmarks, by name: their test files under the shared data directory. */
export const BENCHMARK_FILES = {
  gsm8k: 'gsm8k/test.jsonl',
  math500: 'math500/test.jsonl',
  aime24: 'aime24/test.jsonl',
  amc23: 'amc23/test.jsonl',
} as const;
export type BenchmarkName = keyof typeof BENCHMARK_FILES;
export const BENCHMARK_NAMES = Object.keys(BENCHMARK_FILES) as BenchmarkName[];

/** Bad input to an evaluation (unknown benchmark, unreadable file, bad records): the user must fix it. */
export class EvalInputError extends Error {
  override readonly name = 'EvalInputError';
}

export interface Benchmark {
  /** The benchmark's name, or the file's name without `.jsonl` for a path. */
  name: string;
  path: string;
}

/** A named benchmark resolves under `dataDir`; anything that looks like a path is a problem file. */
export function resolveBenchmark(nameOrPath: string, dataDir: string): Benchmark {
  const named = (BENCHMARK_FILES as Record<string, string>)[nameOrPath];
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.endsWith('.jsonl');
  if (named === undefined && !looksLikePath) {
    throw new EvalInputError(`unknown benchmark "${nameOrPath}": expected ${BENCHMARK_NAMES.join(', ')} or a .jsonl problem file`);
  }
  const path = named === undefined ? resolve(nameOrPath) : join(dataDir, named);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EvalInputError(named === undefined ? `cannot read ${nameOrPath}: no such file` : `benchmark ${nameOrPath} not found at ${path} (the shared data directory; RSTAR_DATA_DIR sets another)`);
  }
  return { name: named === undefined ? basename(path).replace(/\.jsonl$/, '') : nameOrPath, path };
}

export interface ProblemSelection {
  /** The first N problems (after the solution-lines filter); null for all. */
  limit: number | null;
  /** Only problems whose worked solution has exactly this many lines; null for all. */
  solutionLines: number | null;
}

/** "solutions of 2 lines, first 50"; empty for the whole benchmark. */
export function describeSelection(selection: ProblemSelection): string {
  return [selection.solutionLines === null ? null : `solutions of ${selection.solutionLines} lines`, selection.limit === null ? null : `first ${selection.limit}`]
    .filter((s) => s !== null)
    .join(', ');
}

/** Lines of a worked solution, blank ones not counted. */
export function solutionLineCount(solution: string): number {
  return solution.split('\n').filter((l) => l.trim() !== '').length;
}

/**
 * Reads the problems to evaluate: every record must carry an answer, and a bad line fails the whole read (an
 * evaluation over a silently shortened benchmark would report a wrong accuracy). Duplicate ids are refused too.
 */
export async function loadProblems(benchmark: Benchmark, selection: ProblemSelection): Promise<ProblemRecord[]> {
  const errors: ProblemLineError[] = [];
  const records: ProblemRecord[] = [];
  const seen = new Map<string, number>();
  let line = 0;
  for await (const record of readProblemFile(benchmark.path, (e) => errors.push(e), { requireAnswer: true })) {
    line++;
    const first = seen.get(record.id);
    if (first !== undefined) throw new EvalInputError(`${benchmark.path}: id ${record.id} appears more than once`);
    seen.set(record.id, line);
    if (selection.solutionLines !== null) {
      if (record.solution === undefined) throw new EvalInputError(`${benchmark.path}: record ${record.id} has no "solution" field, needed by --solution-lines`);
      if (solutionLineCount(record.solution) !== selection.solutionLines) continue;
    }
    records.push(record);
    if (selection.limit !== null && records.length >= selection.limit && errors.length === 0) break;
  }
  if (errors.length > 0) {
    const [e] = errors;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more bad lines)` : '';
    throw new EvalInputError(`${benchmark.path}:${e?.line}: ${e?.message}${more}`);
  }
  if (records.length === 0) throw new EvalInputError(`${benchmark.path}: no problem selected`);
  return records;
}
