import pRetry from 'p-retry';

/** A failure worth another attempt (connection refused, 5xx, 429), carrying the error to report if none succeeds. */
export class RetryableFailure<E extends Error = Error> extends Error {
  constructor(readonly failure: E) {
    super(failure.message);
  }
}

export interface RetryPolicy {
  retries: number;
  /** First backoff; doubles per attempt up to 5 s, randomised. */
  retryDelayMs: number;
  signal?: AbortSignal | undefined;
}

/** Runs `attempt` until it succeeds or throws something other than a RetryableFailure; throws the last failure's error. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  try {
    return await pRetry(attempt, {
      retries: policy.retries,
      minTimeout: policy.retryDelayMs,
      maxTimeout: 5_000,
      factor: 2,
      randomize: true,
      ...(policy.signal ? { signal: policy.signal } : {}),
      shouldRetry: ({ error }) => error instanceof RetryableFailure,
    });
  } catch (error) {
    if (error instanceof RetryableFailure) throw error.failure;
    throw error;
  }
}

/** `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND...). */
export function connectionFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const code: unknown = Reflect.get(cause, 'code');
  return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
}
