import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { currentCorrelationId, newCorrelationId } from '@rstar/service-kit';
import { GatewayErrorCode } from '../errors/gateway-error.js';

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** What the JSON body parser's errors become: a GraphQL-shaped error body, never an HTML page with a stack. */
export function bodyParserErrorResponse(error: BodyParserError, maxBytes: number): { status: number; code: GatewayErrorCode; message: string } | null {
  switch (error.type) {
    case 'entity.too.large':
      return { status: 413, code: GatewayErrorCode.INPUT_TOO_LARGE, message: `request body is larger than ${maxBytes} bytes` };
    case 'entity.parse.failed':
      return { status: 400, code: GatewayErrorCode.BAD_REQUEST, message: 'request body is not valid JSON' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: GatewayErrorCode.BAD_REQUEST, message: 'unsupported request encoding' };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return { status: 400, code: GatewayErrorCode.BAD_REQUEST, message: 'unreadable request body' };
    default:
      return null;
  }
}

/** JSON bodies up to `maxBytes`; larger ones are refused with 413 and code INPUT_TOO_LARGE. */
export function useJsonBodyLimit(app: NestExpressApplication, maxBytes: number): void {
  app.useBodyParser('json', { limit: maxBytes });
  app.use((error: unknown, _req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const answer = typeof error === 'object' && error !== null ? bodyParserErrorResponse(error, maxBytes) : null;
    if (!answer) {
      next(error);
      return;
    }
    const correlationId = currentCorrelationId() ?? newCorrelationId();
    res.statusCode = answer.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [{ message: answer.message, extensions: { code: answer.code, correlationId } }] }));
  });
}
