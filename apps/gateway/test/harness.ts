import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { parseSearchConfig, type NodeReport, type SearchReport } from '@rstar/mcts';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  connectNats,
  SolveJobQueue,
  SolveProgressBus,
  type NatsConnection,
  type SolveJobDelivery,
  type SolveJobQueueOptions,
} from '@rstar/messaging';
import type { Stores } from '@rstar/persistence';
import { loadConfig } from '@rstar/service-kit';
import request from 'supertest';
import { createGatewayApp, type GatewayAppOptions } from '../src/gateway.app.js';
import { GatewayConfig } from '../src/gateway.config.js';
import { STORES, type PolicyProbe } from '../src/gateway.ports.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Real NATS, or a clear failure: integration tests never start infrastructure themselves. */
export async function connectTestNats(): Promise<NatsConnection> {
  try {
    return await connectNats(NATS_URL, 'gateway-test');
  } catch (error) {
    throw new Error(`NATS is not reachable at ${NATS_URL} (${error instanceof Error ? error.message : String(error)}); start it with \`tools/infra up\``);
  }
}

export const policyDouble: PolicyProbe = { listModels: () => Promise.resolve({ models: ['smollm2-135m'], serverUrl: 'http://127.0.0.1:8000' }) };

export interface GraphQLResponse {
  status: number;
  headers: Record<string, string>;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions: Record<string, unknown> & { code: string; correlationId: string } }[];
  };
}

/**
 * A gateway on an isolated JetStream stream and progress subject (real NATS), a database from `env`
 * (SQLite in memory by default), the policy probe a double.
 */
export class TestGateway {
  private listening: string | null = null;

  private constructor(
    readonly app: NestExpressApplication,
    readonly nc: NatsConnection,
    readonly bus: SolveProgressBus,
    readonly config: GatewayConfig,
    readonly queueOptions: SolveJobQueueOptions & { stream: string },
  ) {}

  static async start(env: Record<string, string> = {}, options: GatewayAppOptions = {}): Promise<TestGateway> {
    const nc = await connectTestNats();
    const id = randomBytes(5).toString('hex');
    const config = loadConfig('gateway', GatewayConfig, {
      RSTAR_DATABASE_URL: 'sqlite::memory:',
      RSTAR_NATS_URL: NATS_URL,
      RSTAR_LOG_LEVEL: 'fatal',
      RSTAR_ADMIN_TOKEN: ADMIN_TOKEN,
      RSTAR_DEFAULT_RATE_LIMIT: '10000',
      ...env,
    });
    const queue = { stream: `TEST_GATEWAY_${id}`, subject: `test.gateway.${id}.jobs`, consumer: `gateway-test-${id}`, ackWaitMs: 5000, pullExpiresMs: 1000 };
    const progressSubject = `test.gateway.${id}.progress`;
    const app = await createGatewayApp(config, {
      ...options,
      ports: { policy: policyDouble, ...options.ports },
      messaging: { queue, progressSubject },
    });
    return new TestGateway(app, nc, new SolveProgressBus(nc, { subject: progressSubject }), config, queue);
  }

  get stores(): Stores {
    return this.app.get<symbol, Stores>(STORES);
  }

  get server(): Server {
    return this.app.getHttpServer();
  }

  /** POST /graphql with a key (Authorization: Bearer) or none. */
  async graphql(query: string, variables: Record<string, unknown> = {}, auth: { key?: string; header?: 'authorization' | 'x-api-key'; correlationId?: string } = {}): Promise<GraphQLResponse> {
    let req = request(this.server).post('/graphql').set('content-type', 'application/json');
    if (auth.key !== undefined) req = auth.header === 'x-api-key' ? req.set('x-api-key', auth.key) : req.set('authorization', `Bearer ${auth.key}`);
    if (auth.correlationId) req = req.set('x-correlation-id', auth.correlationId);
    const res = await req.send({ query, variables });
    return { status: res.status, headers: res.headers, body: res.body as GraphQLResponse['body'] };
  }

  async issueKey(options: { role?: 'client' | 'admin'; rate?: number; name?: string } = {}): Promise<{ secret: string; id: string; prefix: string }> {
    const { key, secret } = await this.stores.apiKeys.issue({ name: options.name ?? 'test', role: options.role ?? 'client', rateLimitPerMinute: options.rate ?? 1000 });
    return { secret, id: key.id, prefix: key.prefix };
  }

  /** Listens on a free loopback port (for graphql-ws) and returns the ws:// URL of /graphql. */
  async wsUrl(): Promise<string> {
    if (!this.listening) {
      await this.app.listen(0, '127.0.0.1');
      const address = this.server.address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      this.listening = `ws://127.0.0.1:${address.port}/graphql`;
    }
    return this.listening;
  }

  /** Takes the next `count` jobs off the gateway's queue (acking them) or fails after `timeoutMs`. */
  async takeJobs(count: number, timeoutMs = 10_000): Promise<SolveJobDelivery[]> {
    const queue = await SolveJobQueue.open(this.nc, this.queueOptions);
    const taken: SolveJobDelivery[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    await queue.consume(
      (delivery) => {
        taken.push(delivery);
        if (taken.length >= count) controller.abort();
        return Promise.resolve({ action: 'ack' });
      },
      { concurrency: 1, signal: controller.signal },
    );
    clearTimeout(timer);
    return taken;
  }

  async close(): Promise<void> {
    await this.app.close();
    await (await jetstreamManager(this.nc)).streams.delete(this.queueOptions.stream).catch(() => undefined);
    await this.nc.drain();
  }
}

function node(id: number, parentId: number | null, extra: Partial<NodeReport>): NodeReport {
  return {
    id,
    parentId,
    depth: 0,
    kind: 'code',
    text: '',
    reasoning: '',
    code: '',
    output: null,
    errorKind: null,
    executed: true,
    answer: null,
    terminal: false,
    terminalReason: null,
    q: 0,
    visits: 1,
    valueSum: 0,
    ppmScore: null,
    reward: null,
    correct: null,
    ...extra,
  };
}

/** A small finished search: root → step 1 → answer 72 (best), and a failed sibling. */
export function finishedReport(question: string): SearchReport {
  const nodes = [
    node(0, null, { kind: 'root', text: question, visits: 4, q: 0.5, valueSum: 2 }),
    node(1, 0, { depth: 1, reasoning: '# April: 48 clips', code: 'april = 48\nprint(april)', output: '48', q: 0.9, visits: 3, valueSum: 2.7 }),
    node(2, 0, { depth: 1, reasoning: '# guess', code: 'print(1/0)', output: 'ZeroDivisionError', errorKind: 'runtime', q: -1, visits: 1, valueSum: -1 }),
    node(3, 1, {
      depth: 2,
      kind: 'answer',
      reasoning: '# May is half: 24; total 72',
      code: 'print(april + april // 2)',
      output: '72',
      answer: '72',
      terminal: true,
      terminalReason: 'answer',
      q: 1,
      visits: 2,
      valueSum: 2,
      ppmScore: 0.87,
      reward: 1,
      correct: true,
    }),
  ];
  return {
    question,
    method: 'mcts',
    config: parseSearchConfig({ rollouts: 4 }),
    evaluator: 'ground-truth',
    answer: '72',
    answerNodeId: 3,
    answerQ: 1,
    bestTrajectory: [0, 1, 3],
    rollouts: 4,
    elapsedMs: 1500,
    stats: { policyRequests: 3, promptTokens: 100, completionTokens: 50, sandboxRuns: 3, sandboxCacheHits: 0, ppmCalls: 0 },
    nodes,
  };
}
