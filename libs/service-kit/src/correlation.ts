import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a correlation id travels in: HTTP, NATS and Kafka alike. */
export const CORRELATION_HEADER = 'x-correlation-id';

const storage = new AsyncLocalStorage<string>();

export function newCorrelationId(): string {
  return randomUUID();
}

/** Ids taken from a peer must be short tokens: they go into logs and headers as they are. */
const CORRELATION_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** The correlation id a peer sent (HTTP, NATS or Kafka header) when it is well-formed, else a new one. */
export function acceptCorrelationId(given: unknown): string {
  return typeof given === 'string' && CORRELATION_ID_PATTERN.test(given) ? given : newCorrelationId();
}

/** Runs `fn` with `id` as the correlation id of everything it logs and sends. */
export function runWithCorrelation<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id of the work in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
