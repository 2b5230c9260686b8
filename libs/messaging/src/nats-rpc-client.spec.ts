import { errors, type Msg, type NatsConnection, type RequestOptions } from '@nats-io/transport-node';
import { policyV1 } from '@rstar/contracts';
import { CORRELATION_HEADER, runWithCorrelation } from '@rstar/service-kit';
import { describe, expect, it } from 'vitest';
import { NatsRpcClient, RpcCallError } from './nats-rpc-client.js';
import { RpcErrorCode } from './rpc.js';

interface Sent {
  subject: string;
  packet: { id: string; pattern: string; data: unknown };
  timeout: number;
  correlationId: string | undefined;
}

type Answer = (sent: Sent) => unknown;

/** Stands in for a NATS connection: records requests and answers each with the next scripted reply or error. */
function fakeConnection(...answers: Answer[]): { connection: NatsConnection; sent: Sent[] } {
  const sent: Sent[] = [];
  const connection = {
    request: (subject: string, data: string, opts: RequestOptions): Promise<Msg> => {
      const record: Sent = {
        subject,
        packet: JSON.parse(data) as Sent['packet'],
        timeout: opts.timeout,
        correlationId: opts.headers?.get(CORRELATION_HEADER),
      };
      sent.push(record);
      const answer = answers[Math.min(sent.length, answers.length) - 1]!;
      try {
        const reply = answer(record);
        return Promise.resolve({ json: () => reply } as unknown as Msg);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  return { connection: connection as unknown as NatsConnection, sent };
}

const SUBJECT = 'rstar.policy.v1.models';
const call = (client: NatsRpcClient, idempotent = false): Promise<policyV1.ListModelsReply> =>
  client.request(SUBJECT, policyV1.ListModelsRequest, policyV1.ListModelsReply, {}, { timeoutMs: 1234, idempotent });

const noResponders = (): never => {
  throw new errors.RequestError('503', { cause: new errors.NoRespondersError(SUBJECT) });
};

describe('NatsRpcClient', () => {
  it("sends Nest's request envelope with proto3 JSON and the current correlation id, and decodes the reply", async () => {
    const { connection, sent } = fakeConnection((s) => ({ id: s.packet.id, response: { models: ['m'], serverUrl: 'http://x' }, isDisposed: true }));
    const reply = await runWithCorrelation('corr-9', () =>
      new NatsRpcClient(connection).request('rstar.policy.v1.complete', policyV1.CompleteRequest, policyV1.ListModelsReply, {
        prompt: 'p',
        n: 2,
        temperature: 0,
        topP: 1,
        maxTokens: 8,
        stop: [],
        includeStopStrInOutput: false,
      }),
    );
    expect(reply).toEqual({ models: ['m'], serverUrl: 'http://x' });
    expect(sent[0]).toMatchObject({ subject: 'rstar.policy.v1.complete', correlationId: 'corr-9', timeout: 60_000 });
    expect(sent[0]!.packet).toEqual({ id: expect.any(String) as unknown, pattern: 'rstar.policy.v1.complete', data: { prompt: 'p', n: 2, topP: 1, maxTokens: 8 } });
  });

  it('makes a correlation id when none is in scope', async () => {
    const { connection, sent } = fakeConnection(() => ({ response: {} }));
    await call(new NatsRpcClient(connection));
    expect(sent[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("turns the service's {code, message} into an RpcCallError with that code", async () => {
    const { connection } = fakeConnection(() => ({ err: { code: 'UPSTREAM_TIMEOUT', message: 'model server slow' }, isDisposed: true }));
    const error = await call(new NatsRpcClient(connection)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error).toMatchObject({ code: RpcErrorCode.UPSTREAM_TIMEOUT, subject: SUBJECT, message: `${SUBJECT}: model server slow` });
  });

  it("reads Nest's own error replies (no handler, unfiltered errors) as INTERNAL", async () => {
    const { connection } = fakeConnection(
      () => ({ status: 'error', err: 'There is no matching message handler defined in the remote service.' }),
      () => ({ err: { status: 'error', message: 'Internal server error' } }),
    );
    const client = new NatsRpcClient(connection);
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.INTERNAL, message: expect.stringMatching(/no matching message handler/) as unknown });
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.INTERNAL, message: `${SUBJECT}: Internal server error` });
  });

  it('refuses a reply that breaks the contract', async () => {
    const { connection } = fakeConnection(() => ({ response: { models: 'm' } }), () => ({ isDisposed: true }));
    const client = new NatsRpcClient(connection);
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.INVALID_REPLY, message: expect.stringMatching(/models must be array/) as unknown });
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.INVALID_REPLY });
  });

  it('says so when no service answers, and when none replies in time', async () => {
    const { connection } = fakeConnection(noResponders, () => {
      throw new errors.TimeoutError();
    });
    const client = new NatsRpcClient(connection);
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.NO_RESPONDERS, message: `no service answers on ${SUBJECT}: none is running or subscribed` });
    await expect(call(client)).rejects.toMatchObject({ code: RpcErrorCode.TIMEOUT, message: `no reply on ${SUBJECT} within 1234 ms` });
  });

  it('retries an idempotent call while no service answers or its upstream is unavailable, with one correlation id', async () => {
    const { connection, sent } = fakeConnection(
      noResponders,
      () => ({ err: { code: 'UPSTREAM_UNAVAILABLE', message: 'model server restarting' } }),
      () => ({ response: { models: ['m'] } }),
    );
    const reply = await call(new NatsRpcClient(connection, { retryDelayMs: 1 }), true);
    expect(reply.models).toEqual(['m']);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.correlationId)).size).toBe(1);
  });

  it('never retries a call that is not idempotent, nor other errors', async () => {
    const first = fakeConnection(noResponders, () => ({ response: {} }));
    await expect(call(new NatsRpcClient(first.connection, { retryDelayMs: 1 }))).rejects.toMatchObject({ code: RpcErrorCode.NO_RESPONDERS });
    expect(first.sent).toHaveLength(1);
    const second = fakeConnection(() => ({ err: { code: 'UPSTREAM_TIMEOUT', message: 'slow' } }), () => ({ response: {} }));
    await expect(call(new NatsRpcClient(second.connection, { retryDelayMs: 1 }), true)).rejects.toMatchObject({ code: RpcErrorCode.UPSTREAM_TIMEOUT });
    expect(second.sent).toHaveLength(1);
  });

  it('gives up after the retries', async () => {
    const { connection, sent } = fakeConnection(noResponders);
    await expect(call(new NatsRpcClient(connection, { retries: 2, retryDelayMs: 1 }), true)).rejects.toMatchObject({ code: RpcErrorCode.NO_RESPONDERS });
    expect(sent).toHaveLength(3);
  });

  it('stops waiting when the caller aborts', async () => {
    const connection = { request: () => new Promise<Msg>(() => undefined) } as unknown as NatsConnection;
    const controller = new AbortController();
    const pending = new NatsRpcClient(connection)
      .request(SUBJECT, policyV1.ListModelsRequest, policyV1.ListModelsReply, {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort(new Error('search cancelled'));
    expect(((await pending) as Error).message).toBe('search cancelled');
  });
});
