import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Page } from '@rstar/persistence';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits/query-limits.js';

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `Items per page, 1 to ${MAX_PAGE_SIZE}.` })
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

/** A checked page request: BAD_USER_INPUT (field `first`) when the size is out of range. */
export function pageRequest(args: { first?: number | null; after?: string | null }): { first: number; after: string | null } {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_PAGE_SIZE}, not ${first}`, { field: 'first' });
  }
  return { first, after: args.after ?? null };
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page; null on the last page.' })
  endCursor!: string | null;
}

export interface Connection<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: PageInfo;
}

/** A GraphQL connection type over `classRef`: nodes, totalCount and pageInfo. */
export function ConnectionType<T>(classRef: Type<T>): Type<Connection<T>> {
  @ObjectType({ isAbstract: true })
  abstract class ConnectionClass implements Connection<T> {
    @Field(() => [classRef])
    nodes!: T[];

    @Field(() => Int)
    totalCount!: number;

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass as unknown as Type<Connection<T>>;
}

/** A store page as a connection of DTOs. */
export function toConnection<R, T>(page: Page<R>, toDto: (record: R) => T): Connection<T> {
  return {
    nodes: page.items.map(toDto),
    totalCount: page.total,
    pageInfo: { hasNextPage: page.nextCursor !== null, endCursor: page.nextCursor },
  };
}
