// Request/reply through the real NATS (tools/infra up): a Nest service started by bootstrapService with a queue
// group, its @MessagePattern handlers wrapped by the rpc helpers, called through NatsRpcClient.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module, type INestApplication } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { PolicyUnreachableError } from '@rstar/clients';
import { policyV1, type JsonMessageFns } from '@rstar/contracts';
import { BaseServiceConfig, bootstrapService, currentCorrelationId, HealthModule, ReadinessRegistry, runWithCorrelation, serviceLoggerModule } from '@rstar/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection } from '../src/nats-connection.js';
import { NatsRpcClient, RpcCallError } from '../src/nats-rpc-client.js';
import { ContractPayload, registerRpcReadiness, RpcController, RpcError, RpcErrorCode } from '../src/rpc.js';

const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';
// Subjects of this run only: suites running at the same time never answer each other.
const PREFIX = `rstar.test.${randomUUID().slice(0, 8)}`;
const ECHO = `${PREFIX}.echo`;
const FAIL = `${PREFIX}.fail`;

/** Which instance answered, and under which correlation id (before and after an await). */
@RpcController()
class EchoController {
  static instances = 0;
  private readonly instance = `instance-${++EchoController.instances}`;

  @MessagePattern(ECHO)
  async echo(@ContractPayload(policyV1.CompleteRequest, 'CompleteRequest') request: policyV1.CompleteRequest): Promise<unknown> {
    const before = currentCorrelationId() ?? 'none';
    await sleep(request.n);
    const after = currentCorrelationId() ?? 'none';
    return policyV1.ListModelsReply.toJSON({ models: [before, after, request.prompt], serverUrl: this.instance });
  }

  @MessagePattern(FAIL)
  fail(@ContractPayload(policyV1.CompleteRequest, 'CompleteRequest') request: policyV1.CompleteRequest): unknown {
    switch (request.prompt) {
      case 'unreachable':
        throw new PolicyUnreachableError('http://127.0.0.1:1', 'ECONNREFUSED');
      case 'rpc-error':
        throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, 'n must be at least 1');
      default:
        throw new Error('secret detail /srv/app.js:1');
    }
  }
}

@Module({ imports: [serviceLoggerModule('rpc-test', 'fatal'), HealthModule], controllers: [EchoController] })
class EchoModule {}

function config(): BaseServiceConfig {
  return Object.assign(new BaseServiceConfig(), { RSTAR_NATS_URL: NATS_URL, RSTAR_HTTP_PORT: 0, RSTAR_LOG_LEVEL: 'fatal' });
}

const apps: INestApplication[] = [];
let connection: NatsConnection;
let rpc: NatsRpcClient;

beforeAll(async () => {
  connection = await connectNats(NATS_URL, 'rpc-integration-test').catch((error: Error) => {
    throw new Error(`${error.message}\nThe integration tests need the infrastructure: run tools/infra up`);
  });
  rpc = new NatsRpcClient(connection, { timeoutMs: 5000, retryDelayMs: 50 });
  for (let i = 0; i < 2; i++) apps.push(await bootstrapService({ name: 'rpc-test', module: EchoModule, config: config(), rpcQueue: 'rpc-test' }));
}, 30_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await connection?.close();
});

function completeRequest(prompt: string, n = 0): policyV1.CompleteRequest {
  return { prompt, n, temperature: 0, topP: 0, maxTokens: 0, stop: [], includeStopStrInOutput: false };
}

const echo = (prompt: string, n = 0): Promise<policyV1.ListModelsReply> =>
  rpc.request(ECHO, policyV1.CompleteRequest, policyV1.ListModelsReply, completeRequest(prompt, n));

describe('RPC over the real NATS', () => {
  it('delivers the correlation id of the caller to the handler, across its awaits', async () => {
    const reply = await runWithCorrelation('corr-integration-1', () => echo('hello', 20));
    expect(reply.models).toEqual(['corr-integration-1', 'corr-integration-1', 'hello']);
  });

  it('gives a handler a correlation id of its own when the caller has none', async () => {
    const [a, b] = await Promise.all([echo('x'), echo('y')]);
    expect(a.models[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.models[0]).not.toBe(b.models[0]);
  });

  it('shares requests between the instances of the queue group', async () => {
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => echo(String(i))));
    expect(replies.map((r) => r.models[2])).toEqual(Array.from({ length: 24 }, (_, i) => String(i)));
    expect(new Set(replies.map((r) => r.serverUrl)).size).toBe(2);
  });

  it('refuses a payload that breaks the contract with INVALID_PAYLOAD', async () => {
    const bad: JsonMessageFns<unknown> = { toJSON: () => ({ prompt: 42, stop: 'x', surprise: true }), fromJSON: (o) => o };
    const error = await rpc.request(ECHO, bad, policyV1.ListModelsReply, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD, subject: ECHO });
    expect((error as Error).message).toMatch(/invalid CompleteRequest: prompt must be string, got number; stop must be array, got string; unknown field surprise/);
  });

  it('replies what a handler throws as {code, message}, never a stack', async () => {
    const fail = (prompt: string): Promise<unknown> =>
      runWithCorrelation('corr-fail', () => rpc.request(FAIL, policyV1.CompleteRequest, policyV1.ListModelsReply, completeRequest(prompt))).catch((e: unknown) => e);
    expect(await fail('unreachable')).toMatchObject({ code: RpcErrorCode.UPSTREAM_UNAVAILABLE, message: expect.stringMatching(/cannot reach the policy server/) as unknown });
    expect(await fail('rpc-error')).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD, message: `${FAIL}: n must be at least 1` });
    const internal = (await fail('bug')) as RpcCallError;
    expect(internal).toMatchObject({ code: RpcErrorCode.INTERNAL, message: `${FAIL}: internal error (correlation id corr-fail)` });
    expect(internal.message).not.toContain('secret');
  });

  it('fails fast and clearly when no service listens on the subject', async () => {
    const nobody = `${PREFIX}.nobody`;
    const started = performance.now();
    const error = await rpc.request(nobody, policyV1.ListModelsRequest, policyV1.ListModelsReply, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: RpcErrorCode.NO_RESPONDERS, message: `no service answers on ${nobody}: none is running or subscribed` });
    expect(performance.now() - started).toBeLessThan(1000);
    // An idempotent call waits a little for an instance to come up, then gives up just as clearly.
    const retried = await rpc.request(nobody, policyV1.ListModelsRequest, policyV1.ListModelsReply, {}, { idempotent: true }).catch((e: unknown) => e);
    expect(retried).toMatchObject({ code: RpcErrorCode.NO_RESPONDERS });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reports the NATS transport in readiness', async () => {
    const readiness = apps[0]!.get(ReadinessRegistry);
    registerRpcReadiness(apps[0]!, readiness);
    expect(await readiness.report()).toEqual({ ready: true, checks: { nats: 'up' } });
  });
});
