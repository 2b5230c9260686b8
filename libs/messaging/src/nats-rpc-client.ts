import { randomUUID } from 'node:crypto';
import { errors, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { ContractViolationError, decodeMessage, type JsonMessageFns } from '@rstar/contracts';
import { currentCorrelationId, newCorrelationId } from '@rstar/service-kit';
import pRetry from 'p-retry';
import { correlationHeaders } from './nats-headers.js';
import { isRpcErrorCode, RpcErrorCode } from './rpc.js';

/** An RPC that did not return a reply: the service's error reply, or what went wrong on the way. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  constructor(
    readonly code: RpcErrorCode,
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RpcCallOptions {
  /** How long to wait for the reply of one attempt, in ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The call has no effect beyond its reply, so it may be sent again: it is retried when no instance
   * answers (NO_RESPONDERS) or the service reports UPSTREAM_UNAVAILABLE.
   */
  idempotent?: boolean;
}

export interface NatsRpcClientOptions {
  /** Timeout of a call that names none, in ms. */
  timeoutMs?: number;
  /** Retries of an idempotent call after the first attempt. */
  retries?: number;
  /** Delay before the first retry (doubles each time, capped at 2 s). */
  retryDelayMs?: number;
}

/** Nest's request envelope on NATS: `id` asks for a reply, `pattern` names the handler. */
interface RequestPacket {
  id: string;
  pattern: string;
  data: unknown;
}

/** Nest's reply envelope: `response` or `err` (ours: `{code, message}`). */
interface ReplyPacket {
  id?: unknown;
  response?: unknown;
  err?: unknown;
}

const RETRIED = new Set<RpcErrorCode>([RpcErrorCode.NO_RESPONDERS, RpcErrorCode.UPSTREAM_UNAVAILABLE]);

/**
 * Request/reply over NATS with the services' @MessagePattern handlers (Nest's NATS transport): the request
 * goes out as proto3 JSON in Nest's envelope with the correlation id header (the current one, or a new one),
 * the reply is decoded with its contract, and an error reply becomes an `RpcCallError` with its code.
 * The connection belongs to the caller; the client never closes it.
 */
export class NatsRpcClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(
    readonly connection: NatsConnection,
    options: NatsRpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  async request<Req, Rep>(
    subject: string,
    requestFns: JsonMessageFns<Req>,
    replyFns: JsonMessageFns<Rep>,
    message: Req,
    options: RpcCallOptions = {},
  ): Promise<Rep> {
    const { signal } = options;
    signal?.throwIfAborted();
    const correlationId = currentCorrelationId() ?? newCorrelationId();
    const data = requestFns.toJSON(message);
    const attempt = (): Promise<Rep> => this.attempt(subject, replyFns, data, correlationId, options.timeoutMs ?? this.timeoutMs, signal);
    if (!options.idempotent || this.retries === 0) return attempt();
    return pRetry(attempt, {
      retries: this.retries,
      minTimeout: this.retryDelayMs,
      maxTimeout: 2_000,
      factor: 2,
      randomize: true,
      ...(signal ? { signal } : {}),
      shouldRetry: ({ error }) => error instanceof RpcCallError && RETRIED.has(error.code),
    });
  }

  private async attempt<Rep>(subject: string, replyFns: JsonMessageFns<Rep>, data: unknown, correlationId: string, timeoutMs: number, signal?: AbortSignal): Promise<Rep> {
    signal?.throwIfAborted();
    const packet: RequestPacket = { id: randomUUID(), pattern: subject, data };
    const headers = correlationHeaders(correlationId);
    const pending = this.connection.request(subject, JSON.stringify(packet), { timeout: timeoutMs, headers });
    let reply: Msg;
    try {
      reply = await (signal ? abortable(pending, signal) : pending);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw callError(subject, timeoutMs, error);
    }
    return decodeReply(subject, replyFns, reply);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** What a failed request means, in words that say what to check. */
function callError(subject: string, timeoutMs: number, error: unknown): RpcCallError {
  const noResponders = error instanceof errors.NoRespondersError || (error instanceof errors.RequestError && error.isNoResponders());
  if (noResponders) return new RpcCallError(RpcErrorCode.NO_RESPONDERS, subject, `no service answers on ${subject}: none is running or subscribed`);
  if (error instanceof errors.TimeoutError) return new RpcCallError(RpcErrorCode.TIMEOUT, subject, `no reply on ${subject} within ${timeoutMs} ms`);
  if (error instanceof errors.ClosedConnectionError || error instanceof errors.DrainingConnectionError) {
    return new RpcCallError(RpcErrorCode.CONNECTION_CLOSED, subject, `cannot request ${subject}: the NATS connection is closed`);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new RpcCallError(RpcErrorCode.INTERNAL, subject, `request on ${subject} failed: ${detail}`);
}

function decodeReply<Rep>(subject: string, replyFns: JsonMessageFns<Rep>, reply: Msg): Rep {
  let packet: ReplyPacket;
  try {
    packet = reply.json<ReplyPacket>();
  } catch {
    throw new RpcCallError(RpcErrorCode.INVALID_REPLY, subject, `the reply on ${subject} is not JSON`);
  }
  if (packet === null || typeof packet !== 'object') throw new RpcCallError(RpcErrorCode.INVALID_REPLY, subject, `the reply on ${subject} is not an envelope`);
  if (packet.err !== undefined && packet.err !== null) throw errorReply(subject, packet.err);
  try {
    return decodeMessage(replyFns, packet.response, `reply on ${subject}`);
  } catch (error) {
    if (error instanceof ContractViolationError) throw new RpcCallError(RpcErrorCode.INVALID_REPLY, subject, error.message);
    throw error;
  }
}

/** The service's `{code, message}`; Nest's own error replies (no handler, an unfiltered error) are INTERNAL. */
function errorReply(subject: string, err: unknown): RpcCallError {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : JSON.stringify(err);
    return new RpcCallError(isRpcErrorCode(code) ? code : RpcErrorCode.INTERNAL, subject, `${subject}: ${text}`);
  }
  return new RpcCallError(RpcErrorCode.INTERNAL, subject, `${subject}: ${String(err)}`);
}
