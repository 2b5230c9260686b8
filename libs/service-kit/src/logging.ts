import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CORRELATION_HEADER, currentCorrelationId, newCorrelationId, runWithCorrelation } from './correlation.js';
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
        const given = req.headers[CORRELATION_HEADER];
        const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newCorrelationId();
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: unknown }).id }),
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' },
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    },
  });
}

/** Express-style middleware: the rest of the request runs with its correlation id in scope. */
export function correlationMiddleware(req: IncomingMessage & { id?: unknown }, res: ServerResponse, next: () => void): void {
  const id = typeof req.id === 'string' ? req.id : (res.getHeader(CORRELATION_HEADER) as string | undefined) ?? newCorrelationId();
  runWithCorrelation(id, next);
}
