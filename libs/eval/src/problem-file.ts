import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * One problem of a JSONL problem file: `{"id"?, "problem"|"question", "answer"?, "solution"?}`. The one reader of
 * problem files: the CLI (solve, bootstrap, eval), synthesis and the gateway's dataset import all parse lines here.
 */
export interface ProblemRecord {
  /** The file's id (a number is read as text), else `line-<n>`. */
  id: string;
  problem: string;
  answer: string | null;
  /** A worked solution (GSM8K's), kept so a benchmark can be cut by its number of lines. */
  solution?: string;
}

/** A line of a problem file that could not be used, with its 1-based line number. */
export interface ProblemLineError {
  line: number;
  message: string;
}

/** Limits on a record's fields (the gateway's, against oversized input); none by default. */
export interface ProblemLimits {
  maxProblemChars?: number;
  maxAnswerChars?: number;
  maxIdChars?: number;
}

export interface ReadProblemOptions {
  /** A record without an answer is a bad line (evaluation needs references). */
  requireAnswer?: boolean;
  limits?: ProblemLimits;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string, or a number written as one (GSM8K answers are numbers); undefined for absent/null. */
function textOf(value: unknown): string | undefined | Error {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return new Error(`must be a string or a number, not ${Array.isArray(value) ? 'an array' : typeof value}`);
}

/** Parses line `line` (1-based) of a problem file: the record, or why the line cannot be used. */
export function parseProblemLine(raw: string, line: number, options: ReadProblemOptions = {}): ProblemRecord | string {
  const limits = options.limits ?? {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!isRecord(value)) return 'not a JSON object';
  const problem = value['problem'] ?? value['question'];
  if (typeof problem !== 'string' || problem.trim() === '') return 'needs a non-empty "problem" (or "question") string';
  if (limits.maxProblemChars !== undefined && problem.length > limits.maxProblemChars) {
    return `the problem has ${problem.length} characters; the limit is ${limits.maxProblemChars}`;
  }
  const id = textOf(value['id']);
  if (id instanceof Error) return `"id" ${id.message}`;
  if (id !== undefined && id.trim() === '') return '"id" is empty';
  if (id !== undefined && limits.maxIdChars !== undefined && id.length > limits.maxIdChars) return `"id" must have 1 to ${limits.maxIdChars} characters`;
  const answer = textOf(value['answer']);
  if (answer instanceof Error) return `"answer" ${answer.message}`;
  if (answer !== undefined && limits.maxAnswerChars !== undefined && answer.length > limits.maxAnswerChars) {
    return `the answer is longer than ${limits.maxAnswerChars} characters`;
  }
  if (options.requireAnswer && (answer === undefined || answer.trim() === '')) return 'answer: missing (a reference answer is needed to grade)';
  const solution = textOf(value['solution']);
  if (solution instanceof Error) return `"solution" ${solution.message}`;
  return { id: id ?? `line-${line}`, problem: problem.trim(), answer: answer ?? null, ...(solution === undefined ? {} : { solution }) };
}

/** Reads a JSONL problem file line by line (`parseProblemLine`): bad lines are reported and skipped, the others yielded. */
export async function* readProblemFile(
  path: string,
  onError: (e: ProblemLineError) => void,
  options: ReadProblemOptions = {},
): AsyncGenerator<ProblemRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    if (raw.trim() === '') continue;
    const parsed = parseProblemLine(raw, lineNo, options);
    if (typeof parsed === 'string') onError({ line: lineNo, message: parsed });
    else yield parsed;
  }
}

/** Ids already present in an output file, so a rerun with the same `--out` skips them. */
export function completedIds(outPath: string): Set<string> {
  const done = new Set<string>();
  if (!existsSync(outPath)) return done;
  for (const line of readFileSync(outPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') done.add(id);
    } catch {
      // A line cut by an interrupted run: that problem is solved again.
    }
  }
  return done;
}
