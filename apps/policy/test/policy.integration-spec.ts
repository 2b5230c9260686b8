// The policy service in-process, on the real NATS (tools/infra up), forwarding to the real CPU model server
// (SmolLM2-135M from models/), called through NatsPolicyClient as the search service calls it.
import type { INestApplication } from '@nestjs/common';
import type { CompletionRequest } from '@rstar/clients';
import { AnswerGrouper, ConsistencyEvaluator, parseSearchConfig, runSearch } from '@rstar/mcts';
import { connectNats, NatsPolicyClient, NatsRpcClient, RpcCallError, RpcErrorCode, type NatsConnection } from '@rstar/messaging';
import { CpuModelServer } from '@rstar/model-server';
import { SandboxPool } from '@rstar/sandbox';
import { loadConfig } from '@rstar/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyConfig } from '../src/policy.config.js';
import { startPolicyService } from '../src/policy.bootstrap.js';

const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';

let modelServer: CpuModelServer;
let app: INestApplication;
let connection: NatsConnection;
let policy: NatsPolicyClient;

beforeAll(async () => {
  connection = await connectNats(NATS_URL, 'policy-integration-test').catch((error: Error) => {
    throw new Error(`${error.message}\nThe integration tests need the infrastructure: run tools/infra up`);
  });
  modelServer = await CpuModelServer.create({ model: 'smollm2-135m', port: 0, threads: 2 });
  const url = await modelServer.start();
  const config = loadConfig('policy', PolicyConfig, {
    RSTAR_POLICY_URL: `${url}/v1`,
    RSTAR_NATS_URL: NATS_URL,
    RSTAR_HTTP_PORT: '0',
    RSTAR_LOG_LEVEL: 'error',
    RSTAR_POLICY_MAX_N: '8',
  });
  app = await startPolicyService(config);
  policy = new NatsPolicyClient(new NatsRpcClient(connection), { timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await connection?.close();
  await modelServer?.close();
});

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    prompt: "<|user|>:\nWhat is 2 + 3?\n<|assistant|>: Let's think step by step and solve the problem with code.\n<code>\n",
    n: 3,
    temperature: 0.8,
    topP: 0.95,
    maxTokens: 16,
    stop: ['<end_of_step>', '<end_of_code>', '<end_of_answer>'],
    includeStopStrInOutput: true,
    seed: 7,
    ...overrides,
  };
}

describe('policy service', { timeout: 60_000 }, () => {
  it('returns n candidates from the model server', async () => {
    const result = await policy.complete(request());
    expect(result.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const choice of result.choices) {
      expect(['stop', 'length']).toContain(choice.finishReason);
      if (choice.finishReason === 'length') expect(choice.stopReason).toBeNull();
    }
    expect(result.choices.some((c) => c.text.length > 0)).toBe(true);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.promptTokens).toBeGreaterThan(10);
  });

  it('lists the served model and the server', async () => {
    const models = await policy.listModels();
    expect(models.models).toHaveLength(1);
    expect(models.models[0]).toMatch(/smollm2/i);
    expect(models.serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a request the model server cannot serve as INVALID_PAYLOAD, before asking it', async () => {
    const error = await policy.complete(request({ n: 9, topP: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error).toMatchObject({ code: RpcErrorCode.INVALID_PAYLOAD });
    expect((error as Error).message).toMatch(/n must be an integer from 1 to 8, got 9; topP must be in \(0, 1\], got 0/);
  });

  it('is ready while the model server answers', async () => {
    const response = await fetch(`${await app.getUrl()}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, checks: { 'model-server': 'up', nats: 'up' } });
  });

  it('serves the MCTS library unchanged: a search whose policy is reached over NATS', async () => {
    const sandbox = await SandboxPool.start({ size: 1 });
    try {
      const config = parseSearchConfig({ rollouts: 2, width: 2, maxDepth: 2, maxStepTokens: 32, seed: 3 });
      const progress: number[] = [];
      const result = await runSearch('What is 2 + 3?', config, { policy, sandbox, evaluator: new ConsistencyEvaluator(new AnswerGrouper(null)) }, {
        onProgress: (p) => progress.push(p.done),
      });
      expect(result.rollouts).toBe(2);
      expect(progress.at(-1)).toBe(2);
      expect(result.stats.policyRequests).toBeGreaterThan(0);
      expect(result.stats.completionTokens).toBeGreaterThan(0);
      expect(result.tree.nodes.length).toBeGreaterThan(1);
    } finally {
      await sandbox.close();
    }
  });
});
