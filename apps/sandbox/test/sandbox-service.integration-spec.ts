// The sandbox service in-process, on the real NATS (tools/infra up), with the real pool (bubblewrap + the
// Python runtime) and the real math-verify grader, called through the NATS clients the search service uses.
import type { INestApplication } from '@nestjs/common';
import { graderV1, RPC_SUBJECTS, sandboxV1 } from '@rstar/contracts';
import { connectNats, NatsGraderClient, NatsRpcClient, NatsSandboxClient, RpcCallError, RpcErrorCode, type NatsConnection } from '@rstar/messaging';
import { SandboxPool } from '@rstar/sandbox';
import { loadConfig } from '@rstar/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServiceConfig } from '../src/sandbox.config.js';
import { startSandboxService } from '../src/sandbox.bootstrap.js';

const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';

let app: INestApplication | undefined;
let connection: NatsConnection;
let rpc: NatsRpcClient;
let sandbox: NatsSandboxClient;
let grader: NatsGraderClient;

beforeAll(async () => {
  connection = await connectNats(NATS_URL, 'sandbox-integration-test').catch((error: Error) => {
    throw new Error(`${error.message}\nThe integration tests need the infrastructure: run tools/infra up`);
  });
  const config = loadConfig('sandbox', SandboxServiceConfig, {
    RSTAR_SANDBOX_WORKERS: '2',
    RSTAR_NATS_URL: NATS_URL,
    RSTAR_HTTP_PORT: '0',
    RSTAR_LOG_LEVEL: 'fatal',
  });
  app = await startSandboxService(config);
  rpc = new NatsRpcClient(connection, { retries: 0 });
  sandbox = new NatsSandboxClient(rpc, { timeoutMs: 30_000 });
  grader = new NatsGraderClient(rpc, { timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await connection?.close();
});

describe('sandbox service', { timeout: 60_000 }, () => {
  it('runs Python in the pool and returns what it printed', async () => {
    const result = await sandbox.run('print(1+1)');
    expect(result).toMatchObject({ ok: true, errorKind: null });
    expect(result.stdout.trim()).toBe('2');
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('reports a syntax error as such', async () => {
    const result = await sandbox.run('x = (1 +\nprint(x)');
    expect(result).toMatchObject({ ok: false, errorKind: 'syntax' });
    expect(result.errorMessage).toMatch(/SyntaxError/);
  });

  it('grades answers with math-verify', async () => {
    expect(await grader.grade('\\frac{1}{2}', '0.5')).toMatchObject({ equivalent: true, error: null });
    expect(await grader.grade('3', '0.5')).toMatchObject({ equivalent: false, error: null });
  });

  it('refuses per-request limits and budgets: the service sets them', async () => {
    const limits = { cpuSeconds: 0, wallSeconds: 600, memoryMb: 0, maxProcesses: 0, maxOutputBytes: 0, maxFileBytes: 0 };
    const run = await rpc
      .request(RPC_SUBJECTS['SandboxService.Run'], sandboxV1.RunRequest, sandboxV1.RunResult, { id: 'r', code: 'print(1)', limits })
      .catch((e: unknown) => e);
    expect(run).toBeInstanceOf(RpcCallError);
    expect(run).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD, message: expect.stringMatching(/limits are set by the sandbox service/) as unknown });
    const grade = await rpc
      .request(RPC_SUBJECTS['GraderService.Grade'], graderV1.GradeRequest, graderV1.GradeResult, { id: 'g', answer: '1', reference: '1', timeoutS: 100 })
      .catch((e: unknown) => e);
    expect(grade).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD });
  });

  it('echoes the request id', async () => {
    const reply = await rpc.request(RPC_SUBJECTS['SandboxService.Run'], sandboxV1.RunRequest, sandboxV1.RunResult, { id: 'run-17', code: 'print(3)' });
    expect(reply).toMatchObject({ id: 'run-17', ok: true });
  });

  it('is ready while the pool is up, and stops its runtimes on shutdown', async () => {
    const response = await fetch(`${await app!.getUrl()}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, checks: { 'sandbox-pool': 'up', nats: 'up' } });
    const pool = app!.get(SandboxPool);
    expect(pool.stats().alive).toBe(2);
    await app!.close();
    app = undefined;
    expect(pool.stats()).toMatchObject({ alive: 0, starting: 0 });
    await expect(pool.run('print(1)')).rejects.toMatchObject({ code: 'closed' });
  });
});
