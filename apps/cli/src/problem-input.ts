import { readProblemFile, type ProblemRecord } from '@rstar/eval';
import { CliUsageError } from './cli-errors.js';

/**
 * The first `limit` problems of a file that carry a reference answer, for a command that needs them (bootstrap,
 * synth). Each bad line is named on stderr and skipped; a file with none usable is a usage error.
 */
export async function readAnsweredProblems(path: string, limit: number | undefined): Promise<{ problems: ProblemRecord[]; badLines: number }> {
  const problems: ProblemRecord[] = [];
  let badLines = 0;
  for await (const record of readProblemFile(path, (e) => {
    badLines++;
    process.stderr.write(`${path}:${e.line}: ${e.message}\n`);
  }, { requireAnswer: true })) {
    if (limit !== undefined && problems.length >= limit) break;
    problems.push(record);
  }
  if (problems.length === 0) throw new CliUsageError(`${path}: no usable problems`);
  return { problems, badLines };
}
