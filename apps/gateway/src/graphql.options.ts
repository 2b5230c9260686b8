import type { IncomingMessage } from 'node:http';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { Logger } from '@nestjs/common';
import { acceptCorrelationId, CORRELATION_HEADER, currentCorrelationId, newCorrelationId } from '@rstar/service-kit';
import { GraphQLError, specifiedRules, validate, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Context as WsContext, ServerOptions } from 'graphql-ws';
import type { Extra as WsExtra } from 'graphql-ws/use/ws';
import { credentialFromConnectionParams, credentialFromHeaders, type ApiKeyAuthenticator } from './auth/api-key-auth.service.js';
import type { GatewayContext } from './auth/gateway-context.js';
import type { Principal } from './auth/principal.js';
import { GatewayError, GatewayErrorCode } from './errors/gateway-error.js';
import { classifyError, errorPolicy, formatGatewayError, toGraphQLError } from './errors/graphql-error.mapper.js';
import type { GatewayConfig } from './gateway.config.js';
import { complexityLimitPlugin, depthLimitRule } from './limits/query-limits.js';

export const GRAPHQL_PATH = '/graphql';

type WsConnection = WsContext<Record<string, unknown> | undefined, WsExtra>;

/** WebSocket close codes of refused graphql-ws connections (graphql-ws's own 4401/4403 and a 4429). */
export function wsCloseCode(code: GatewayErrorCode): number {
  switch (code) {
    case GatewayErrorCode.UNAUTHENTICATED:
    case GatewayErrorCode.API_KEY_REVOKED:
      return 4401;
    case GatewayErrorCode.FORBIDDEN:
      return 4403;
    case GatewayErrorCode.RATE_LIMITED:
      return 4429;
    case GatewayErrorCode.QUERY_TOO_DEEP:
    case GatewayErrorCode.QUERY_TOO_COMPLEX:
    case GatewayErrorCode.INPUT_TOO_LARGE:
    case GatewayErrorCode.BAD_USER_INPUT:
    case GatewayErrorCode.NOT_FOUND:
    case GatewayErrorCode.CONFLICT:
    case GatewayErrorCode.GRAPHQL_PARSE_FAILED:
    case GatewayErrorCode.GRAPHQL_VALIDATION_FAILED:
    case GatewayErrorCode.BAD_REQUEST:
      return 4400;
    case GatewayErrorCode.SERVICE_UNAVAILABLE:
    case GatewayErrorCode.INTERNAL_SERVER_ERROR:
      return 4500;
    default:
      return code satisfies never;
  }
}

function isWsConnection(arg: unknown): arg is WsConnection {
  return typeof arg === 'object' && arg !== null && 'extra' in arg && 'connectionInitReceived' in arg;
}

/**
 * The Apollo (HTTP) and graphql-ws (WebSocket, same path) configuration: authentication and rate limiting when
 * the context is made, depth and complexity limits, and one error formatter for both transports.
 */
export function gatewayGraphQLOptions(config: GatewayConfig, auth: ApiKeyAuthenticator): ApolloDriverConfig {
  const logger = new Logger('GraphQL');
  const depthRule = depthLimitRule(config.RSTAR_MAX_QUERY_DEPTH);
  // Who opened each WebSocket, and the correlation id of the connection.
  const connections = new WeakMap<object, { principal: Principal; correlationId: string }>();

  const format = (formatted: GraphQLFormattedError, error: unknown, correlationId: string): GraphQLFormattedError => {
    const { unexpected } = classifyError(error);
    if (unexpected) {
      const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
      logger.error(`unexpected error [${correlationId}]: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    }
    return formatGatewayError(formatted, error, correlationId);
  };

  const formatWsErrors = (errors: readonly GraphQLError[], correlationId: string): GraphQLFormattedError[] =>
    errors.map((e) => format(e.toJSON(), e, correlationId));

  const httpContext = async (req: IncomingMessage): Promise<GatewayContext> => {
    const correlationId = currentCorrelationId() ?? acceptCorrelationId(req.headers[CORRELATION_HEADER]);
    try {
      const principal = await auth.authenticate(credentialFromHeaders(req.headers));
      auth.admit(principal);
      return { req, correlationId, principal, memo: new Map() };
    } catch (error) {
      throw error instanceof GatewayError ? toGraphQLError(error) : error;
    }
  };

  const wsContext = (connection: WsConnection): GatewayContext => {
    const known = connections.get(connection.extra.socket);
    if (!known) throw toGraphQLError(new GatewayError(GatewayErrorCode.UNAUTHENTICATED, 'connection not authenticated'));
    return { correlationId: known.correlationId, principal: known.principal, memo: new Map() };
  };

  // graphql-ws options beyond those Nest's type lists (validate, onError) are passed on to useServer as well.
  const wsOptions: Partial<ServerOptions<Record<string, unknown> | undefined, WsExtra>> & { path: string } = {
    path: GRAPHQL_PATH,
    // The key travels in connectionParams ({ apiKey } or { authorization: 'Bearer …' }); a refused connection
    // is closed with 4401 (no, unknown or revoked key) or 4429 (rate limit), the error code in the reason.
    onConnect: async (connection) => {
      const correlationId = newCorrelationId();
      try {
        const principal = await auth.authenticate(credentialFromConnectionParams(connection.connectionParams));
        auth.admit(principal);
        connections.set(connection.extra.socket, { principal, correlationId });
        return true;
      } catch (error) {
        const { error: gatewayError, unexpected } = classifyError(error);
        if (unexpected) logger.error(`graphql-ws connection failed [${correlationId}]: ${error instanceof Error ? error.message : String(error)}`);
        const message = errorPolicy(gatewayError.code).exposeMessage ? gatewayError.message : 'internal server error';
        connection.extra.socket.close(wsCloseCode(gatewayError.code), `${gatewayError.code}: ${message}`.slice(0, 120));
        return false;
      }
    },
    // Each subscription counts against the key's rate limit, as each HTTP request does.
    onSubscribe: (connection) => {
      const known = connections.get(connection.extra.socket);
      if (!known) return [toGraphQLError(new GatewayError(GatewayErrorCode.UNAUTHENTICATED, 'connection not authenticated'))];
      try {
        auth.admit(known.principal);
        return undefined;
      } catch (error) {
        if (error instanceof GatewayError) return [toGraphQLError(error)];
        throw error;
      }
    },
    validate: (schema, document, rules = specifiedRules, ...rest) => validate(schema, document, [...rules, depthRule], ...rest),
    onNext: (_connection, _id, _payload, args, result: ExecutionResult) => {
      if (!result.errors) return undefined;
      const correlationId = (args.contextValue as GatewayContext | undefined)?.correlationId ?? newCorrelationId();
      return { ...result, errors: formatWsErrors(result.errors, correlationId) };
    },
    onError: (connection, _id, _payload, errors) => formatWsErrors(errors, connections.get(connection.extra.socket)?.correlationId ?? newCorrelationId()),
  };

  return {
    driver: ApolloDriver,
    path: GRAPHQL_PATH,
    autoSchemaFile: true,
    sortSchema: true,
    graphiql: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    autoTransformHttpErrors: false,
    persistedQueries: false,
    validationRules: [depthRule],
    plugins: [complexityLimitPlugin(config.RSTAR_MAX_QUERY_COMPLEXITY)],
    formatError: (formatted, error) => format(formatted, error, currentCorrelationId() ?? newCorrelationId()),
    context: (arg: unknown) => (isWsConnection(arg) ? wsContext(arg) : httpContext((arg as { req: IncomingMessage }).req)),
    subscriptions: { 'graphql-ws': wsOptions as GraphQLWsSubscriptionsConfig },
  };
}
