import { PersistenceError } from './errors.js';

/** The most items one page may ask for. */
export const MAX_PAGE_SIZE = 1000;

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new PersistenceError('INVALID', `page size must be an integer from 1 to ${MAX_PAGE_SIZE}, not ${first}`);
  }
}

/**
 * Cursors are opaque to callers: base64url of a JSON array holding the sort key of the last item returned, with a
 * kind tag so a cursor of one listing is refused by another.
 */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/** The sort key a cursor holds, checked against the expected element types; INVALID when it is not one of ours. */
export function decodeCursor<const T extends readonly ('string' | 'number')[]>(
  kind: string,
  cursor: string,
  types: T,
): { [K in keyof T]: T[K] extends 'string' ? string : number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== types.length + 1 ||
    parsed[0] !== kind ||
    !types.every((type, i) => typeof parsed[i + 1] === type && (type !== 'number' || Number.isFinite(parsed[i + 1])))
  ) {
    throw new PersistenceError('INVALID', `bad cursor for ${kind}`);
  }
  return parsed.slice(1) as { [K in keyof T]: T[K] extends 'string' ? string : number };
}
