import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { acceptCorrelationId, CORRELATION_HEADER, currentCorrelationId, runWithCorrelation } from './correlation.js';
import type { LogLevel } from './service-config.js';

/**
 * JSON logs (pino) for a service: every line carries the service name and the correlation id of the work in
 * progress; HTTP requests take theirs from the x-correlation-id header (or get a new one) and echo it back.
 */
export function serviceLoggerModule(service: string, level: LogLevel): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: unknown }).id }),
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' },
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    },
  });
}

/**
 * Express-style middleware: the rest of the request runs with its correlation id in scope (logs, NATS headers,
 * error extensions). The id is written back into the request header, so the request logger, whichever runs
 * first, reads the same one.
 */
export function correlationMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const id = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
  req.headers[CORRELATION_HEADER] = id;
  res.setHeader(CORRELATION_HEADER, id);
  runWithCorrelation(id, next);
}
