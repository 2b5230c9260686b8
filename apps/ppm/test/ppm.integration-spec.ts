// The PPM service in-process, on the real NATS (tools/infra up), in front of a stand-in reward-model server
// (vLLM's /classify shape), called through NatsPpmClient as the search service calls it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { connectNats, NatsPpmClient, NatsRpcClient, RpcCallError, RpcErrorCode, type NatsConnection } from '@rstar/messaging';
import { loadConfig } from '@rstar/service-kit';
import { ppmInput } from '@rstar/step-format';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PpmConfig } from '../src/ppm.config.js';
import { startPpmService } from '../src/ppm.bootstrap.js';

const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';

type Mode = 'score' | 'reject' | 'fail';

/** Stands in for vLLM serving a reward model: scores an input by its length; records the inputs. */
class FakeRewardServer {
  mode: Mode = 'score';
  readonly batches: string[][] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/health') return reply(res, 200, {});
      const { input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
      this.batches.push(input);
      if (this.mode === 'reject') return reply(res, 400, { error: { message: 'input too long', type: 'BadRequestError', code: 400 } });
      if (this.mode === 'fail') return reply(res, 500, { error: { message: 'CUDA error', type: 'InternalServerError', code: 500 } });
      const data = input.map((text, index) => ({ index, label: 'LABEL_0', probs: [text.length / 100], num_classes: 1 }));
      reply(res, 200, { id: 'classify-1', object: 'list', created: 0, model: 'ppm', data, usage: { prompt_tokens: 1, total_tokens: 1 } });
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

let rewardServer: FakeRewardServer;
let app: INestApplication;
let connection: NatsConnection;
let ppm: NatsPpmClient;

beforeAll(async () => {
  connection = await connectNats(NATS_URL, 'ppm-integration-test').catch((error: Error) => {
    throw new Error(`${error.message}\nThe integration tests need the infrastructure: run tools/infra up`);
  });
  rewardServer = new FakeRewardServer();
  const url = await rewardServer.start();
  const config = loadConfig('ppm', PpmConfig, {
    RSTAR_PPM_URL: url,
    RSTAR_PPM_RETRIES: '0',
    RSTAR_NATS_URL: NATS_URL,
    RSTAR_HTTP_PORT: '0',
    RSTAR_LOG_LEVEL: 'fatal',
  });
  app = await startPpmService(config);
  ppm = new NatsPpmClient(new NatsRpcClient(connection, { retries: 0 }), { timeoutMs: 10_000 });
}, 30_000);

afterAll(async () => {
  await app?.close();
  await connection?.close();
  await rewardServer?.stop().catch(() => undefined);
});

beforeEach(() => {
  rewardServer.mode = 'score';
});

const QUESTION = 'What is 2 + 3?';
const STEPS = [['<code>\nx = 2 + 3\n<end_of_step>\n'], ['<code>\nx = 2 + 3\n<end_of_step>\n', 'print(x)\n<end_of_code>\n<output>5<end_of_output>\n'], ['<code>\nprint(5)\n<end_of_code>\n']];

describe('PPM service', () => {
  it('scores all trajectories of a call in one request to the reward server, in order', async () => {
    const before = rewardServer.batches.length;
    const rewards = await ppm.score(QUESTION, STEPS);
    expect(rewardServer.batches.slice(before)).toEqual([STEPS.map((steps) => ppmInput(QUESTION, steps))]);
    expect(rewards).toEqual(STEPS.map((steps) => ppmInput(QUESTION, steps).length / 100));
  });

  it('refuses a request with nothing to score as INVALID_PAYLOAD', async () => {
    const error = await ppm.score(QUESTION, [['a'], []]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD, message: expect.stringMatching(/trajectory 1 has no step to score/) as unknown });
  });

  it("passes on the reward server's refusals and failures with their codes", async () => {
    rewardServer.mode = 'reject';
    await expect(ppm.score(QUESTION, STEPS)).rejects.toMatchObject({ code: RpcErrorCode.UPSTREAM_REJECTED, message: expect.stringMatching(/input too long/) as unknown });
    rewardServer.mode = 'fail';
    await expect(ppm.score(QUESTION, STEPS)).rejects.toMatchObject({ code: RpcErrorCode.UPSTREAM_ERROR, message: expect.stringMatching(/CUDA error/) as unknown });
  });

  it('is ready while the reward server answers, and says why not when it does not', async () => {
    const url = await app.getUrl();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { 'reward-server': 'up', nats: 'up' } });

    await rewardServer.stop();
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    const report = (await notReady.json()) as { checks: Record<string, string> };
    expect(report.checks['reward-server']).toMatch(/^down: cannot reach the PPM server at .*ECONNREFUSED/);
    await expect(ppm.score(QUESTION, STEPS)).rejects.toMatchObject({ code: RpcErrorCode.UPSTREAM_UNAVAILABLE });
  });
});
