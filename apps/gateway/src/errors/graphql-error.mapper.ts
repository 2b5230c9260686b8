import { HeaderMap } from '@apollo/server';
import { HttpException } from '@nestjs/common';
import { isPersistenceError, type PersistenceErrorCode } from '@rstar/persistence';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { GatewayError, GatewayErrorCode } from './gateway-error.js';

export interface ErrorPolicy {
  /** The HTTP status when the error ends the request before execution (auth, limits, parse, validation). */
  httpStatus: number;
  /** False: the message may hold internals and the client gets a generic one instead. */
  exposeMessage: boolean;
}

const INTERNAL_MESSAGE = 'Internal server error';

/** How each code is shown to clients. Exhaustive: a new code does not compile until it is placed here. */
export function errorPolicy(code: GatewayErrorCode): ErrorPolicy {
  switch (code) {
    case GatewayErrorCode.UNAUTHENTICATED:
    case GatewayErrorCode.API_KEY_REVOKED:
      return { httpStatus: 401, exposeMessage: true };
    case GatewayErrorCode.FORBIDDEN:
      return { httpStatus: 403, exposeMessage: true };
    case GatewayErrorCode.RATE_LIMITED:
      return { httpStatus: 429, exposeMessage: true };
    case GatewayErrorCode.INPUT_TOO_LARGE:
      return { httpStatus: 413, exposeMessage: true };
    case GatewayErrorCode.NOT_FOUND:
      return { httpStatus: 404, exposeMessage: true };
    case GatewayErrorCode.CONFLICT:
      return { httpStatus: 409, exposeMessage: true };
    case GatewayErrorCode.QUERY_TOO_DEEP:
    case GatewayErrorCode.QUERY_TOO_COMPLEX:
    case GatewayErrorCode.BAD_USER_INPUT:
    case GatewayErrorCode.GRAPHQL_PARSE_FAILED:
    case GatewayErrorCode.GRAPHQL_VALIDATION_FAILED:
    case GatewayErrorCode.BAD_REQUEST:
      return { httpStatus: 400, exposeMessage: true };
    case GatewayErrorCode.SERVICE_UNAVAILABLE:
      return { httpStatus: 503, exposeMessage: true };
    case GatewayErrorCode.INTERNAL_SERVER_ERROR:
      return { httpStatus: 500, exposeMessage: false };
    default:
      return code satisfies never;
  }
}

function persistenceCode(code: PersistenceErrorCode): GatewayErrorCode {
  switch (code) {
    case 'NOT_FOUND':
      return GatewayErrorCode.NOT_FOUND;
    case 'CONFLICT':
      return GatewayErrorCode.CONFLICT;
    case 'INVALID':
      return GatewayErrorCode.BAD_USER_INPUT;
    default:
      return code satisfies never;
  }
}

function httpExceptionCode(status: number): GatewayErrorCode {
  if (status === 400 || status === 422) return GatewayErrorCode.BAD_USER_INPUT;
  if (status === 401) return GatewayErrorCode.UNAUTHENTICATED;
  if (status === 403) return GatewayErrorCode.FORBIDDEN;
  if (status === 404) return GatewayErrorCode.NOT_FOUND;
  if (status === 409) return GatewayErrorCode.CONFLICT;
  if (status === 413) return GatewayErrorCode.INPUT_TOO_LARGE;
  if (status === 429) return GatewayErrorCode.RATE_LIMITED;
  if (status === 503) return GatewayErrorCode.SERVICE_UNAVAILABLE;
  return GatewayErrorCode.INTERNAL_SERVER_ERROR;
}

/** Apollo Server's own request-level codes, as gateway codes. */
const APOLLO_CODES: Record<string, GatewayErrorCode> = {
  GRAPHQL_PARSE_FAILED: GatewayErrorCode.GRAPHQL_PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED: GatewayErrorCode.GRAPHQL_VALIDATION_FAILED,
  BAD_USER_INPUT: GatewayErrorCode.BAD_USER_INPUT,
  BAD_REQUEST: GatewayErrorCode.BAD_REQUEST,
  OPERATION_RESOLUTION_FAILURE: GatewayErrorCode.BAD_REQUEST,
  PERSISTED_QUERY_NOT_FOUND: GatewayErrorCode.BAD_REQUEST,
  PERSISTED_QUERY_NOT_SUPPORTED: GatewayErrorCode.BAD_REQUEST,
};

/** The error and what it wraps (GraphQL's originalError, Error.cause), outermost first. */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof GraphQLError ? (current.originalError ?? undefined) : current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/**
 * Classifies anything thrown while serving a request as the GatewayError a client may see. Errors the gateway
 * did not anticipate become INTERNAL_SERVER_ERROR (`unexpected: true`: the caller logs them).
 */
export function classifyError(error: unknown): { error: GatewayError; unexpected: boolean } {
  const chain = errorChain(error);
  for (const link of chain) {
    if (link instanceof GatewayError) return { error: link, unexpected: link.code === GatewayErrorCode.INTERNAL_SERVER_ERROR };
    if (isPersistenceError(link)) return { error: new GatewayError(persistenceCode(link.code), link.message), unexpected: false };
    if (link instanceof HttpException) {
      const code = httpExceptionCode(link.getStatus());
      return { error: new GatewayError(code, link.message), unexpected: code === GatewayErrorCode.INTERNAL_SERVER_ERROR };
    }
  }
  if (error instanceof GraphQLError) {
    const apolloCode = typeof error.extensions['code'] === 'string' ? APOLLO_CODES[error.extensions['code']] : undefined;
    if (apolloCode) return { error: new GatewayError(apolloCode, error.message), unexpected: false };
    // graphql-js's own syntax and validation errors (the WebSocket transport reports them without a code).
    if (error.originalError === undefined && error.path === undefined) {
      const code = error.message.startsWith('Syntax Error') ? GatewayErrorCode.GRAPHQL_PARSE_FAILED : GatewayErrorCode.GRAPHQL_VALIDATION_FAILED;
      return { error: new GatewayError(code, error.message), unexpected: false };
    }
  }
  return { error: new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, {}, { cause: error }), unexpected: true };
}

/** The client's view of an error: message, location, path and `extensions` {code, correlationId, details}; no stack. */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown, correlationId: string): GraphQLFormattedError {
  const { error: gatewayError } = classifyError(error);
  const policy = errorPolicy(gatewayError.code);
  return {
    message: policy.exposeMessage ? gatewayError.message : INTERNAL_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...gatewayError.details, code: gatewayError.code, correlationId },
  };
}

/**
 * A GatewayError as a GraphQLError that Apollo Server answers with the code's HTTP status: for errors raised
 * before execution (context creation, validation, plugins).
 */
export function toGraphQLError(error: GatewayError): GraphQLError {
  const headers = new HeaderMap();
  if (error.details.retryAfterSeconds !== undefined) headers.set('retry-after', String(error.details.retryAfterSeconds));
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, http: { status: errorPolicy(error.code).httpStatus, headers } },
  });
}
