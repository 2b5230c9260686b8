import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import depthLimit from 'graphql-depth-limit';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { toGraphQLError } from '../errors/graphql-error.mapper.js';

/** Page size a list field assumes when `first` is not given (resolvers use the same default). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Rejects operations nested deeper than `maxDepth` (graphql-depth-limit) with code QUERY_TOO_DEEP. Introspection
 * fields (`__schema`…) are not counted.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  // The package's types say `any`: it is a function of the validation context.
  const rule = depthLimit(maxDepth) as (context: ValidationContext) => unknown;
  return (context: ValidationContext) => {
    // graphql-depth-limit reports plain GraphQLErrors; give each the gateway's code.
    const reporting = new Proxy(context, {
      get(target, property, receiver) {
        if (property === 'reportError') {
          return (error: GraphQLError) =>
            target.reportError(
              new GraphQLError(error.message, {
                nodes: error.nodes,
                originalError: new GatewayError(GatewayErrorCode.QUERY_TOO_DEEP, error.message, { limit: maxDepth }),
              }),
            );
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    rule(reporting);
    return {};
  };
}

/**
 * A list field's complexity: its children's, once per item it may return (`first`, else the default page).
 * For `@Field({ complexity: listComplexity })` and friends.
 */
export function listComplexity({ args, childComplexity }: Pick<ComplexityEstimatorArgs, 'args' | 'childComplexity'>): number {
  const first = typeof args['first'] === 'number' && args['first'] > 0 ? Math.min(args['first'], MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return 1 + first * Math.max(1, childComplexity);
}

/** The estimated cost of one operation of `document`. */
export function operationComplexity(options: { schema: GraphQLSchema; document: DocumentNode; variables?: Record<string, unknown>; operationName?: string }): number {
  return getComplexity({
    schema: options.schema,
    query: options.document,
    variables: options.variables ?? {},
    ...(options.operationName ? { operationName: options.operationName } : {}),
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

/**
 * Rejects operations whose estimated cost (graphql-query-complexity: each field 1 unless it declares more; list
 * fields multiply by their page size) exceeds `maxComplexity`, with code QUERY_TOO_COMPLEX. A plugin rather than
 * a validation rule because the cost depends on the variables.
 */
export function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ request, document, schema }: GraphQLRequestContextDidResolveOperation<object>) {
          let complexity: number;
          try {
            complexity = operationComplexity({
              schema,
              document,
              variables: request.variables ?? {},
              ...(request.operationName ? { operationName: request.operationName } : {}),
            });
          } catch (error) {
            // The estimate coerces the variables before Apollo does: report a bad variable as Apollo would.
            if (!(error instanceof GraphQLError)) throw error;
            throw toGraphQLError(new GatewayError(GatewayErrorCode.BAD_USER_INPUT, error.message));
          }
          if (complexity > maxComplexity) {
            throw toGraphQLError(
              new GatewayError(GatewayErrorCode.QUERY_TOO_COMPLEX, `query complexity ${complexity} exceeds the maximum of ${maxComplexity}`, {
                limit: maxComplexity,
              }),
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}
