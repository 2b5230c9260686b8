import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { DEFAULT_PAGE_SIZE, depthLimitRule, listComplexity, MAX_PAGE_SIZE, operationComplexity } from './query-limits.js';

const schema = buildSchema(`
  type Query { dataset(id: ID!): Dataset }
  type Dataset { id: ID! name: String problems(first: Int): [Problem!]! }
  type Problem { id: ID! dataset: Dataset! }
`);

function depthErrors(query: string, maxDepth: number) {
  return validate(schema, parse(query), [...specifiedRules, depthLimitRule(maxDepth)]);
}

describe('depthLimitRule', () => {
  it('lets a query at the limit through', () => {
    expect(depthErrors('{ dataset(id: "1") { problems { dataset { id } } } }', 3)).toEqual([]);
  });

  it('refuses a deeper one with QUERY_TOO_DEEP', () => {
    const errors = depthErrors('query Deep { dataset(id: "1") { problems { dataset { problems { id } } } } }', 3);
    expect(errors.length).toBeGreaterThan(0);
    const cause = errors[0]?.originalError;
    expect(cause).toBeInstanceOf(GatewayError);
    expect((cause as GatewayError).code).toBe(GatewayErrorCode.QUERY_TOO_DEEP);
    expect((cause as GatewayError).details.limit).toBe(3);
    expect(errors[0]?.message).toContain("'Deep' exceeds maximum operation depth of 3");
  });

  it('follows fragments', () => {
    const query = 'query { dataset(id: "1") { ...D } } fragment D on Dataset { problems { dataset { problems { id } } } }';
    expect(depthErrors(query, 3)).not.toEqual([]);
  });

  it('does not count introspection', () => {
    expect(depthErrors('{ __schema { types { fields { type { ofType { name } } } } } }', 2)).toEqual([]);
  });
});

describe('complexity', () => {
  it('multiplies a list field by its page size', () => {
    expect(listComplexity({ args: { first: 5 }, childComplexity: 3 })).toBe(16);
    expect(listComplexity({ args: {}, childComplexity: 1 })).toBe(1 + DEFAULT_PAGE_SIZE);
    expect(listComplexity({ args: { first: 10_000 }, childComplexity: 1 })).toBe(1 + MAX_PAGE_SIZE);
  });

  it('counts one per field without estimates', () => {
    const document = parse('query Q($id: ID!) { dataset(id: $id) { id name problems { id } } }');
    expect(operationComplexity({ schema, document, variables: { id: '1' }, operationName: 'Q' })).toBe(5);
  });
});
