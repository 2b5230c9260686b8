/** What a caller of the stores must handle; everything else is a bug or an outage and propagates as is. */
export const PersistenceErrorCode = {
  /** A referenced row (a problem, an API key) does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A unique value (a name, a key prefix) is taken, or a concurrent writer got there first. */
  CONFLICT: 'CONFLICT',
  /** The input is malformed: a bad cursor, a page size out of range, an empty name, an unknown database URL. */
  INVALID: 'INVALID',
} as const;
export type PersistenceErrorCode = (typeof PersistenceErrorCode)[keyof typeof PersistenceErrorCode];

export class PersistenceError extends Error {
  override readonly name = 'PersistenceError';

  constructor(
    readonly code: PersistenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPersistenceError(error: unknown, code?: PersistenceErrorCode): error is PersistenceError {
  return error instanceof PersistenceError && (code === undefined || error.code === code);
}
