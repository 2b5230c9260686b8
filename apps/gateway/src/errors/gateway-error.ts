/**
 * Every error a gateway client can see, by `extensions.code`. Request-level codes of GraphQL itself (parse and
 * validation failures) are listed too, so one mapper covers every error the gateway returns.
 */
export enum GatewayErrorCode {
  /** No API key, or a key the gateway does not know. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The key exists but was revoked. */
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  /** The key may not do this (admin operations). */
  FORBIDDEN = 'FORBIDDEN',
  /** The key's requests per minute are used up. */
  RATE_LIMITED = 'RATE_LIMITED',
  QUERY_TOO_DEEP = 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** A problem, a dataset or the request body is larger than the gateway accepts. */
  INPUT_TOO_LARGE = 'INPUT_TOO_LARGE',
  /** An argument is out of range or malformed; `extensions.field` names it. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  /** A unique name is taken. */
  CONFLICT = 'CONFLICT',
  /** A dependency (database, NATS) cannot take the request now; retrying later may work. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  /** The HTTP request is not a GraphQL request the gateway understands. */
  BAD_REQUEST = 'BAD_REQUEST',
  /** A bug or an unexpected failure; the message is generic and the details are in the log. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const GATEWAY_ERROR_CODES: readonly GatewayErrorCode[] = Object.values(GatewayErrorCode);

/** Extra, client-safe facts about an error (which argument was wrong, when to retry). */
export interface GatewayErrorDetails {
  field?: string;
  retryAfterSeconds?: number;
  limit?: number;
  /** Per-line problems of a dataset import. */
  lines?: { line: number; message: string }[];
}

/** The one exception type of the gateway: its message is shown to clients, so it never holds internals. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly details: GatewayErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
