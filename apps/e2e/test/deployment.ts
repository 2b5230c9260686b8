import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import request from 'supertest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEV_STACK_ORDER, devStackConfig, devStackServices, ProcessStack, type DevStackConfig, type DevStackService } from '@rstar/dev-stack';
import { KAFKA_TOPICS } from '@rstar/contracts';
import { workspaceRoot } from '@rstar/workspace';

/** Ports of the suite's own deployment, away from a developer's `tools/dev up` (4000…, 8000). */
const E2E_PORTS = { gateway: 14000, search: 14010, policy: 14020, sandbox: 14040, curation: 14050, modelServer: 18000 };

export interface GraphqlReply<T> {
  status: number;
  data: T | null;
  errors: { message: string; extensions?: { code?: string; correlationId?: string; field?: string } }[];
}

/**
 * The whole deployment as processes: the CPU model server and every service from their bundles, on the real
 * NATS, Kafka and PostgreSQL of tools/infra, in a database of its own that is dropped at the end.
 */
export class E2eDeployment {
  readonly stack: ProcessStack;
  readonly config: DevStackConfig;
  readonly adminToken = `e2e_${randomBytes(18).toString('base64url')}`;
  private readonly adminUrl: string;

  private constructor(readonly database: string) {
    const root = workspaceRoot();
    const base = devStackConfig(root);
    this.adminUrl = base.databaseUrl;
    const url = new URL(base.databaseUrl);
    url.pathname = `/${database}`;
    // A consumer group of its own: a developer's curation service must not take this deployment's trees.
    const curationGroupId = `rstar-curation-${database}`;
    this.config = { ...base, databaseUrl: url.toString(), ports: E2E_PORTS, adminToken: this.adminToken, jobAckWaitS: 8, logLevel: 'info', curationGroupId };
    this.stack = new ProcessStack({ dir: mkdtempSync(join(tmpdir(), 'rstar-e2e-')), detached: false, onStatus: (m) => process.stderr.write(`[e2e] ${m}\n`) });
  }

  static async start(): Promise<E2eDeployment> {
    const database = `rstar_e2e_${randomBytes(4).toString('hex')}`;
    const deployment = new E2eDeployment(database);
    await deployment.admin(`CREATE DATABASE ${database}`);
    try {
      for (const spec of devStackServices(deployment.config)) await deployment.stack.start(spec);
    } catch (error) {
      await deployment.stop();
      throw error;
    }
    return deployment;
  }

  /** Starts one service again (after a kill). */
  async restart(service: DevStackService): Promise<void> {
    const [spec] = devStackServices(this.config, [service]);
    await this.stack.start(spec!);
  }

  async stop(): Promise<void> {
    await this.stack.stopAll([...DEV_STACK_ORDER].reverse(), 30_000).catch(() => undefined);
    await this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`).catch(() => undefined);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`PostgreSQL is not reachable at ${this.adminUrl} (start it with tools/infra up): ${String(error)}`);
    }
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** A query on the deployment's own database. */
  async sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  get gatewayUrl(): string {
    return `http://${this.config.host}:${this.config.ports.gateway}`;
  }

  async graphql<T>(key: string | null, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlReply<T>> {
    let req = request(this.gatewayUrl).post('/graphql').set('content-type', 'application/json');
    if (key !== null) req = req.set('authorization', `Bearer ${key}`);
    const res = await req.send({ query, variables });
    const body = res.body as { data?: T | null; errors?: GraphqlReply<T>['errors'] };
    return { status: res.status, data: body.data ?? null, errors: body.errors ?? [] };
  }

  /** The data of a request that must succeed. */
  async ok<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const reply = await this.graphql<T>(key, query, variables);
    if (reply.errors.length > 0 || reply.data === null) throw new Error(`GraphQL errors: ${JSON.stringify(reply.errors)}`);
    return reply.data;
  }

  async issueKey(name: string, rateLimitPerMinute = 600): Promise<{ id: string; prefix: string; secret: string }> {
    const data = await this.ok<{ issueApiKey: { secret: string; key: { id: string; prefix: string } } }>(
      this.adminToken,
      'mutation($name: String!, $rate: Int) { issueApiKey(name: $name, rateLimitPerMinute: $rate) { secret key { id prefix } } }',
      { name, rate: rateLimitPerMinute },
    );
    return { ...data.issueApiKey.key, secret: data.issueApiKey.secret };
  }

  wsClient(key: string): Client {
    return createClient({
      url: `ws://${this.config.host}:${this.config.ports.gateway}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: key },
      retryAttempts: 0,
    });
  }

  /** Every record of trajectories.v1 whose key is `key`, read from the start of the topic until one of job `jobId` is among them. */
  async trajectoryRecords(key: string, jobId: string, timeoutMs = 30_000): Promise<{ key: string; value: Record<string, unknown>; headers: Record<string, string> }[]> {
    const kafka = new Kafka({ clientId: 'rstar-e2e', brokers: this.config.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `rstar-e2e-${randomBytes(4).toString('hex')}` });
    const found: { key: string; value: Record<string, unknown>; headers: Record<string, string> }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: KAFKA_TOPICS.TrajectoryCompleted, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          if (message.key?.toString() !== key) return Promise.resolve();
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          found.push({ key, value: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>, headers });
          return Promise.resolve();
        },
      });
      const deadline = Date.now() + timeoutMs;
      // Read on a little after the job's record, so a duplicate would be seen too.
      while (Date.now() < deadline && !found.some((r) => r.value['jobId'] === jobId)) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await consumer.disconnect();
    }
    return found;
  }
}

/** The first GSM8K test problem, from the shared benchmark data. */
export const GSM8K_FIRST = {
  id: 'gsm8k-test-0001',
  answer: '18',
};
