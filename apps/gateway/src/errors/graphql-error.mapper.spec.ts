import { BadRequestException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { PersistenceError } from '@rstar/persistence';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES, GatewayError, GatewayErrorCode } from './gateway-error.js';
import { classifyError, errorPolicy, formatGatewayError, toGraphQLError } from './graphql-error.mapper.js';

const formatted = (error: GraphQLError) => error.toJSON();

describe('errorPolicy', () => {
  it.each(GATEWAY_ERROR_CODES)('places %s with an HTTP error status', (code) => {
    const policy = errorPolicy(code);
    expect(policy.httpStatus).toBeGreaterThanOrEqual(400);
    expect(policy.httpStatus).toBeLessThan(600);
  });

  it('hides the message of internal errors only', () => {
    const hidden = GATEWAY_ERROR_CODES.filter((code) => !errorPolicy(code).exposeMessage);
    expect(hidden).toEqual([GatewayErrorCode.INTERNAL_SERVER_ERROR]);
  });

  it('answers auth failures with 401, the rate limit with 429 and oversized input with 413', () => {
    expect(errorPolicy(GatewayErrorCode.UNAUTHENTICATED).httpStatus).toBe(401);
    expect(errorPolicy(GatewayErrorCode.API_KEY_REVOKED).httpStatus).toBe(401);
    expect(errorPolicy(GatewayErrorCode.RATE_LIMITED).httpStatus).toBe(429);
    expect(errorPolicy(GatewayErrorCode.INPUT_TOO_LARGE).httpStatus).toBe(413);
  });
});

describe('formatGatewayError', () => {
  it.each(GATEWAY_ERROR_CODES)('gives a thrown %s its code and the correlation id, and no stack', (code) => {
    const thrown = new GraphQLError('wrapped', { originalError: new GatewayError(code, 'what happened', { field: 'x' }), path: ['solve'] });
    const out = formatGatewayError({ ...formatted(thrown), extensions: { stacktrace: ['at secret.ts:1'], exception: {} } }, thrown, 'corr-1');
    expect(out.extensions).toMatchObject({ code, correlationId: 'corr-1', field: 'x' });
    expect(out.extensions).not.toHaveProperty('stacktrace');
    expect(out.extensions).not.toHaveProperty('exception');
    expect(JSON.stringify(out)).not.toContain('secret.ts');
    expect(out.path).toEqual(['solve']);
    expect(out.message).toBe(code === GatewayErrorCode.INTERNAL_SERVER_ERROR ? 'Internal server error' : 'what happened');
  });

  it('turns an unexpected error into INTERNAL_SERVER_ERROR with a generic message', () => {
    const thrown = new GraphQLError('connect ECONNREFUSED 10.0.0.5:5432', { originalError: new Error('connect ECONNREFUSED 10.0.0.5:5432') });
    const out = formatGatewayError(formatted(thrown), thrown, 'c');
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: 'c' } });
    expect(classifyError(thrown).unexpected).toBe(true);
  });
});

describe('classifyError', () => {
  it.each([
    ['NOT_FOUND', GatewayErrorCode.NOT_FOUND],
    ['CONFLICT', GatewayErrorCode.CONFLICT],
    ['INVALID', GatewayErrorCode.BAD_USER_INPUT],
  ] as const)('maps PersistenceError %s to %s', (persistenceCode, code) => {
    const { error, unexpected } = classifyError(new GraphQLError('x', { originalError: new PersistenceError(persistenceCode, 'bad cursor for jobs') }));
    expect(error.code).toBe(code);
    expect(error.message).toBe('bad cursor for jobs');
    expect(unexpected).toBe(false);
  });

  it.each([
    [new BadRequestException('nope'), GatewayErrorCode.BAD_USER_INPUT],
    [new ForbiddenException(), GatewayErrorCode.FORBIDDEN],
    [new NotFoundException(), GatewayErrorCode.NOT_FOUND],
    [new HttpException('slow down', 429), GatewayErrorCode.RATE_LIMITED],
    [new HttpException('boom', 500), GatewayErrorCode.INTERNAL_SERVER_ERROR],
  ])('maps Nest HTTP exceptions (%s)', (exception, code) => {
    expect(classifyError(exception).error.code).toBe(code);
  });

  it.each([
    ['GRAPHQL_PARSE_FAILED', GatewayErrorCode.GRAPHQL_PARSE_FAILED],
    ['GRAPHQL_VALIDATION_FAILED', GatewayErrorCode.GRAPHQL_VALIDATION_FAILED],
    ['BAD_USER_INPUT', GatewayErrorCode.BAD_USER_INPUT],
    ['BAD_REQUEST', GatewayErrorCode.BAD_REQUEST],
    ['OPERATION_RESOLUTION_FAILURE', GatewayErrorCode.BAD_REQUEST],
  ])("keeps Apollo's request-level code %s", (apolloCode, code) => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: apolloCode } });
    expect(classifyError(error)).toMatchObject({ error: { code, message: error.message }, unexpected: false });
  });

  it('finds a GatewayError wrapped by Apollo validation (originalError of originalError)', () => {
    const inner = new GraphQLError('too deep', { originalError: new GatewayError(GatewayErrorCode.QUERY_TOO_DEEP, "'' exceeds maximum operation depth of 8") });
    const validation = new GraphQLError(inner.message, { originalError: inner, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(classifyError(validation).error.code).toBe(GatewayErrorCode.QUERY_TOO_DEEP);
  });

  it("classifies graphql-js's own syntax and validation errors (WebSocket transport)", () => {
    expect(classifyError(new GraphQLError('Syntax Error: Unexpected Name "x".')).error.code).toBe(GatewayErrorCode.GRAPHQL_PARSE_FAILED);
    expect(classifyError(new GraphQLError('Cannot query field "x" on type "Subscription".')).error.code).toBe(GatewayErrorCode.GRAPHQL_VALIDATION_FAILED);
  });

  it('treats an execution error with a path and no cause as a bug', () => {
    const error = new GraphQLError('Cannot return null for non-nullable field SolveJob.id.', { path: ['solveJob', 'id'] });
    expect(classifyError(error)).toMatchObject({ error: { code: GatewayErrorCode.INTERNAL_SERVER_ERROR }, unexpected: true });
  });

  it('follows Error.cause chains', () => {
    const error = new Error('outer', { cause: new GatewayError(GatewayErrorCode.NOT_FOUND, 'no job') });
    expect(classifyError(error).error.code).toBe(GatewayErrorCode.NOT_FOUND);
  });
});

describe('toGraphQLError', () => {
  it('carries the code, the HTTP status and a retry-after header for Apollo', () => {
    const error = toGraphQLError(new GatewayError(GatewayErrorCode.RATE_LIMITED, 'slow down', { retryAfterSeconds: 12 }));
    const http = error.extensions['http'] as { status: number; headers: Map<string, string> };
    expect(error.extensions['code']).toBe('RATE_LIMITED');
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe('12');
    expect(classifyError(error).error.code).toBe(GatewayErrorCode.RATE_LIMITED);
  });
});
