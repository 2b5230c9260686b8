import type { NewProblem } from '@rstar/persistence';

export interface JsonlLineError {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface ParsedProblems {
  problems: NewProblem[];
  errors: JsonlLineError[];
}

export interface JsonlLimits {
  maxProblemChars: number;
  maxAnswerChars?: number;
  maxIdChars?: number;
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

function parseLine(raw: string, line: number, limits: Required<JsonlLimits>): NewProblem | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!isRecord(value)) return 'not a JSON object';
  const question = value['question'] ?? value['problem'];
  if (typeof question !== 'string' || question.trim() === '') return 'needs a non-empty "question" (or "problem") string';
  if (question.length > limits.maxProblemChars) return `the problem has ${question.length} characters; the limit is ${limits.maxProblemChars}`;
  const id = textOf(value['id']);
  if (id instanceof Error) return `"id" ${id.message}`;
  if (id !== undefined && (id.trim() === '' || id.length > limits.maxIdChars)) return `"id" must have 1 to ${limits.maxIdChars} characters`;
  const answer = textOf(value['answer']);
  if (answer instanceof Error) return `"answer" ${answer.message}`;
  if (answer !== undefined && answer.length > limits.maxAnswerChars) return `the answer is longer than ${limits.maxAnswerChars} characters`;
  return { externalId: id ?? String(line), question: question.trim(), answer: answer ?? null };
}

/**
 * Problems of a JSONL file: one `{"id"?, "question"|"problem", "answer"?}` object per line, blank lines
 * ignored. A bad line is reported with its number and skipped; the others are kept (an id repeated within
 * the file counts as a bad line).
 */
export function parseProblemsJsonl(text: string, limits: JsonlLimits): ParsedProblems {
  const full: Required<JsonlLimits> = { maxAnswerChars: 1000, maxIdChars: 200, ...limits };
  const problems: NewProblem[] = [];
  const errors: JsonlLineError[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const parsed = parseLine(raw, line, full);
    if (typeof parsed === 'string') {
      errors.push({ line, message: parsed });
      return;
    }
    const earlier = seen.get(parsed.externalId);
    if (earlier !== undefined) {
      errors.push({ line, message: `id ${JSON.stringify(parsed.externalId)} was already used on line ${earlier}` });
      return;
    }
    seen.set(parsed.externalId, line);
    problems.push(parsed);
  });
  return { problems, errors };
}
