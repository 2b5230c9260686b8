import type { IncomingMessage } from 'node:http';
import type { Principal } from './principal.js';

/** What every resolver gets as its GraphQL context. */
export interface GatewayContext {
  /** The HTTP request (absent for operations over graphql-ws). */
  req?: IncomingMessage;
  correlationId: string;
  principal: Principal;
  /** Memo of this request's loads, so fields of one job that need the same row read it once. */
  memo: Map<string, Promise<unknown>>;
}

/** `load()` once per request and key. */
export function memoized<T>(context: GatewayContext, key: string, load: () => Promise<T>): Promise<T> {
  let value = context.memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    context.memo.set(key, value);
  }
  return value;
}
