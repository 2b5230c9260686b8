import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORRELATION_HEADER, newCorrelationId, runWithCorrelation } from '@rstar/service-kit';

/** The request's x-correlation-id when it is a sane token, else a new id. */
export function correlationIdOf(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newCorrelationId();
}

/**
 * Runs the rest of the request with its correlation id in scope (logs, NATS headers, error extensions). The id
 * is written back into the request header, so the request logger (which reads it there) uses the same one.
 */
export function correlationMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const id = correlationIdOf(req);
  req.headers[CORRELATION_HEADER] = id;
  res.setHeader(CORRELATION_HEADER, id);
  runWithCorrelation(id, next);
}
