import { Logger, type ArgumentsHost, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { PolicyRequestError, PolicyServerError, PolicyTimeoutError, PolicyUnreachableError, PpmError, PPM_ERROR_CODES } from '@rstar/clients';
import { ContractViolationError, policyV1 } from '@rstar/contracts';
import { CORRELATION_HEADER, currentCorrelationId, runWithCorrelation } from '@rstar/service-kit';
import { firstValueFrom, of, defer, lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ContractPipe,
  correlationIdOf,
  isRpcErrorCode,
  RpcCorrelationInterceptor,
  RpcError,
  RpcErrorCode,
  RpcErrorFilter,
  toRpcErrorBody,
  type RpcErrorMapper,
} from './rpc.js';

function natsContext(correlationId?: string): NatsContext {
  const headers = natsHeaders();
  if (correlationId !== undefined) headers.set(CORRELATION_HEADER, correlationId);
  return new NatsContext(['rstar.test.subject', headers]);
}

function rpcHost(context: NatsContext): ArgumentsHost & ExecutionContext {
  return {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context, getData: () => ({}) }),
  } as unknown as ArgumentsHost & ExecutionContext;
}

describe('toRpcErrorBody', () => {
  it('keeps the code and message of an RpcError', () => {
    expect(toRpcErrorBody(new RpcError(RpcErrorCode.INVALID_PAYLOAD, 'n must be at least 1'))).toEqual({ code: 'INVALID_PAYLOAD', message: 'n must be at least 1' });
  });

  it('maps a contract violation to INVALID_PAYLOAD', () => {
    expect(toRpcErrorBody(new ContractViolationError('CompleteRequest', ['unknown field x']))).toEqual({
      code: RpcErrorCode.INVALID_PAYLOAD,
      message: 'invalid CompleteRequest: unknown field x',
    });
  });

  it('maps each policy client error to the upstream code that tells the caller what to do', () => {
    const url = 'http://vllm:8000';
    expect(toRpcErrorBody(new PolicyUnreachableError(url, 'ECONNREFUSED')).code).toBe(RpcErrorCode.UPSTREAM_UNAVAILABLE);
    expect(toRpcErrorBody(new PolicyTimeoutError(url, 10)).code).toBe(RpcErrorCode.UPSTREAM_TIMEOUT);
    expect(toRpcErrorBody(new PolicyRequestError(url, 400, 'prompt too long', null))).toEqual({
      code: RpcErrorCode.UPSTREAM_REJECTED,
      message: 'policy server at http://vllm:8000 rejected the request (400): prompt too long',
    });
    expect(toRpcErrorBody(new PolicyServerError(url, 500, 'boom')).code).toBe(RpcErrorCode.UPSTREAM_ERROR);
  });

  it('maps every PPM error code', () => {
    const codes = PPM_ERROR_CODES.map((code) => toRpcErrorBody(new PpmError(code, 'http://ppm', code)).code);
    expect(codes).toEqual([RpcErrorCode.UPSTREAM_UNAVAILABLE, RpcErrorCode.UPSTREAM_TIMEOUT, RpcErrorCode.UPSTREAM_REJECTED, RpcErrorCode.UPSTREAM_ERROR]);
  });

  it("asks the service's own mappers before the shared rules", () => {
    class PoolClosed extends Error {}
    const mapper: RpcErrorMapper = (e) => (e instanceof PoolClosed ? new RpcError(RpcErrorCode.UPSTREAM_UNAVAILABLE, 'pool closed') : undefined);
    expect(toRpcErrorBody(new PoolClosed('x'), [mapper])).toEqual({ code: RpcErrorCode.UPSTREAM_UNAVAILABLE, message: 'pool closed' });
    expect(toRpcErrorBody(new ContractViolationError('T', ['p']), [mapper]).code).toBe(RpcErrorCode.INVALID_PAYLOAD);
  });

  it('hides an unknown error behind INTERNAL and the correlation id', () => {
    const secret = new Error('password=hunter2 at /srv/app.js:12');
    expect(toRpcErrorBody(secret)).toEqual({ code: RpcErrorCode.INTERNAL, message: 'internal error' });
    const body = runWithCorrelation('corr-1', () => toRpcErrorBody(secret));
    expect(body).toEqual({ code: RpcErrorCode.INTERNAL, message: 'internal error (correlation id corr-1)' });
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('knows its own codes', () => {
    expect(isRpcErrorCode('UPSTREAM_TIMEOUT')).toBe(true);
    expect(isRpcErrorCode('status')).toBe(false);
    expect(isRpcErrorCode(3)).toBe(false);
  });
});

describe('ContractPipe', () => {
  const pipe = new ContractPipe(policyV1.CompleteRequest, 'CompleteRequest');

  it('decodes a proto3 JSON payload', () => {
    expect(pipe.transform({ prompt: 'p', n: 2, topP: 0.9, stop: ['x'], seed: '7' })).toMatchObject({ prompt: 'p', n: 2, topP: 0.9, stop: ['x'], seed: 7, maxTokens: 0 });
  });

  it('refuses a payload that breaks the contract with INVALID_PAYLOAD, naming every problem', () => {
    const error = (() => {
      try {
        pipe.transform({ prompt: 3, stop: 'x', extra: true });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD });
    expect((error as Error).message).toMatch(/prompt must be string, got number/);
    expect((error as Error).message).toMatch(/stop must be array, got string/);
    expect((error as Error).message).toMatch(/unknown field extra/);
    expect(() => pipe.transform(undefined)).toThrow(/payload must be an object, got undefined/);
  });
});

describe('correlation', () => {
  it('takes a well-formed id from the x-correlation-id header, else makes one', () => {
    expect(correlationIdOf(natsContext('job-42.step:3'))).toBe('job-42.step:3');
    const made = correlationIdOf(natsContext('bad id with spaces'));
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdOf(natsContext())).not.toBe(correlationIdOf(natsContext()));
    expect(correlationIdOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs the handler with the id of the request in scope', async () => {
    const interceptor = new RpcCorrelationInterceptor();
    // Like Nest's CallHandler: the rest of the chain runs when it is subscribed to.
    const next: CallHandler = { handle: () => defer(() => of(currentCorrelationId())) };
    const seen = await lastValueFrom(interceptor.intercept(rpcHost(natsContext('corr-7')), next));
    expect(seen).toBe('corr-7');
  });
});

describe('RpcErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('replies {code, message} and nothing else', async () => {
    const filter = new RpcErrorFilter();
    const reply = await firstValueFrom(filter.catch(new PolicyTimeoutError('http://m', 5), rpcHost(natsContext('c-1')))).catch((e: unknown) => e);
    expect(reply).toEqual({ code: RpcErrorCode.UPSTREAM_TIMEOUT, message: 'policy server at http://m did not answer within 5 ms' });
  });

  it("names the request's correlation id in an INTERNAL reply", async () => {
    const filter = new RpcErrorFilter();
    const reply = await firstValueFrom(filter.catch(new TypeError('x is undefined'), rpcHost(natsContext('c-2')))).catch((e: unknown) => e);
    expect(reply).toEqual({ code: RpcErrorCode.INTERNAL, message: 'internal error (correlation id c-2)' });
  });
});
