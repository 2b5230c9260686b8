import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptCorrelationId, CORRELATION_HEADER, currentCorrelationId } from './correlation.js';
import { correlationMiddleware } from './logging.js';

describe('acceptCorrelationId', () => {
  it('keeps a well-formed id and replaces anything else with a new one', () => {
    expect(acceptCorrelationId('job-42.step:3')).toBe('job-42.step:3');
    for (const bad of ['bad id with spaces', '', 'x'.repeat(129), undefined, 7, ['a']]) {
      expect(acceptCorrelationId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(acceptCorrelationId(undefined)).not.toBe(acceptCorrelationId(undefined));
  });
});

describe('correlationMiddleware', () => {
  it('runs the request with its id in scope and writes it back to the request and the response', () => {
    const req = { headers: { [CORRELATION_HEADER]: 'not ok!' } } as unknown as IncomingMessage;
    const set: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => void (set[k] = v) } as unknown as ServerResponse;
    let seen: string | undefined;
    correlationMiddleware(req, res, () => {
      seen = currentCorrelationId();
    });
    expect(seen).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.headers[CORRELATION_HEADER]).toBe(seen);
    expect(set[CORRELATION_HEADER]).toBe(seen);
  });
});
