import { parseProblemLine, type ProblemLimits } from '@rstar/eval';
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

export interface JsonlLimits extends ProblemLimits {
  maxProblemChars: number;
}

/**
 * Problems of an imported JSONL file, each line read by the problem-file reader every command uses
 * (`parseProblemLine`), blank lines ignored. A bad line is reported with its number and skipped; the others are
 * kept (an id repeated within the file counts as a bad line).
 */
export function parseProblemsJsonl(text: string, limits: JsonlLimits): ParsedProblems {
  const full: ProblemLimits = { maxAnswerChars: 1000, maxIdChars: 200, ...limits };
  const problems: NewProblem[] = [];
  const errors: JsonlLineError[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const parsed = parseProblemLine(raw, line, { limits: full });
    if (typeof parsed === 'string') {
      errors.push({ line, message: parsed });
      return;
    }
    const earlier = seen.get(parsed.id);
    if (earlier !== undefined) {
      errors.push({ line, message: `id ${JSON.stringify(parsed.id)} was already used on line ${earlier}` });
      return;
    }
    seen.set(parsed.id, line);
    problems.push({ externalId: parsed.id, question: parsed.problem, answer: parsed.answer });
  });
  return { problems, errors };
}
