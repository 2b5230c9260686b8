import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a correlation id travels in: HTTP, NATS and Kafka alike. */
export const CORRELATION_HEADER = 'x-correlation-id';

const storage = new AsyncLocalStorage<string>();

export function newCorrelationId(): string {
  return randomUUID();
}

/** Runs `fn` with `id` as the correlation id of everything it logs and sends. */
export function runWithCorrelation<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id of the work in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
