import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';

export const ProblemRecordSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String).optional(),
  problem: z.string().trim().min(1, 'problem is empty'),
  answer: z.union([z.string(), z.number()]).transform(String).optional(),
  /** A worked solution (GSM8K's), kept so a benchmark can be cut by its number of lines. */
  solution: z.string().optional(),
});

export interface ProblemRecord {
  id: string;
  problem: string;
  answer: string | null;
  solution?: string;
}

/** A line of a problem file that could not be used, with its 1-based line number. */
export interface ProblemLineError {
  line: number;
  message: string;
}

export interface ReadProblemOptions {
  /** A record without an answer is a bad line (evaluation needs references). */
  requireAnswer?: boolean;
}

/**
 * Reads a JSONL problem file ({id?, problem, answer?, solution?} per line), line by line. Bad lines are reported
 * and skipped; the others are still yielded. A record without an id gets `line-<n>`.
 */
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
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      onError({ line: lineNo, message: `invalid JSON (${(e as Error).message})` });
      continue;
    }
    const parsed = ProblemRecordSchema.safeParse(json);
    if (!parsed.success) {
      onError({ line: lineNo, message: parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ') });
      continue;
    }
    const { id, problem, answer, solution } = parsed.data;
    if (options.requireAnswer && (answer === undefined || answer.trim() === '')) {
      onError({ line: lineNo, message: 'answer: missing (a reference answer is needed to grade)' });
      continue;
    }
    yield { id: id ?? `line-${lineNo}`, problem, answer: answer ?? null, ...(solution === undefined ? {} : { solution }) };
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
