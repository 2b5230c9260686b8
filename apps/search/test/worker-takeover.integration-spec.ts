import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { searchV1 } from '@rstar/contracts';
import { parseSearchConfig } from '@rstar/mcts';
import { connectNats, SolveJobQueue, SolveProgressBus, TrajectoryPublisher, type NatsConnection, type SolveJobQueueOptions } from '@rstar/messaging';
import { createDataSource, migrate, openStores, type Stores } from '@rstar/persistence';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '@rstar/job-lifecycle';
import { SolveJobRunner } from '../src/solve-job-runner.js';
import type { PolicyClient } from '@rstar/clients';
import type { SearchPorts } from '../src/search.ports.js';
import { AnsweringPolicy, EqualityGrader, GatedPolicy, OkSandbox } from './doubles.js';

// Two search workers in one process, each with its own NATS connection (an "instance"), against the real
// JetStream, PostgreSQL and Kafka of tools/infra; the model services are in-process doubles. Names (schema,
// stream, topic) are unique to this file.
const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env['RSTAR_PG_URL'] ?? `postgres://rstar:rstar@127.0.0.1:${process.env['RSTAR_PG_PORT'] ?? '5432'}/rstar`;
const BROKERS = (process.env['RSTAR_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const id = randomBytes(5).toString('hex');
const schema = `search_test_${id}`;
const topic = `test.trajectories.search.${id}`;
const progressSubject = `test.progress.search.${id}`;

let nc: NatsConnection;
let dataSource: DataSource;
let stores: Stores;
let publisher: TrajectoryPublisher;
const kafka = new Kafka({ clientId: 'search-test', brokers: BROKERS, logLevel: logLevel.NOTHING, connectionTimeout: 3000 });
const streams: string[] = [];
const connections: NatsConnection[] = [];
const relays: { stop: AbortController; relaying: Promise<void> }[] = [];

async function pgQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  try {
    nc = await connectNats(NATS_URL, 'search-takeover-test');
    await pgQuery(`CREATE SCHEMA ${schema}`);
    publisher = new TrajectoryPublisher({ brokers: BROKERS, topic, partitions: 1 });
    await publisher.connect();
  } catch (error) {
    throw new Error(`NATS, PostgreSQL and Kafka must be up (tools/infra up): ${String(error)}`);
  }
  dataSource = createDataSource(PG_URL, { schema, poolSize: 4 });
  await migrate(dataSource);
  stores = openStores(dataSource);
}, 60_000);

afterAll(async () => {
  for (const r of relays) r.stop.abort();
  await Promise.all(relays.map((r) => r.relaying));
  const jsm = nc ? await jetstreamManager(nc) : null;
  for (const s of streams) await jsm?.streams.delete(s).catch(() => undefined);
  for (const c of connections) await c.close().catch(() => undefined);
  await nc?.close();
  await publisher?.close();
  await dataSource?.destroy();
  await pgQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

function queueNames(): SolveJobQueueOptions {
  const q = randomBytes(5).toString('hex');
  streams.push(`TEST_SEARCH_${q}`);
  return { stream: `TEST_SEARCH_${q}`, subject: `test.search.jobs.${q}`, consumer: `search_${q}`, pullExpiresMs: 1000 };
}

/** One search instance: its own NATS connection, queue handle and runner. */
async function instance(workerId: string, policy: PolicyClient, queueOptions: SolveJobQueueOptions) {
  const connection = await connectNats(NATS_URL, workerId);
  connections.push(connection);
  const queue = await SolveJobQueue.open(connection, queueOptions);
  // Each instance has its relay, as each process does: they share the outbox by leases.
  const relay = new OutboxRelay(stores.outbox, publisher, { holder: workerId, pollMs: 500 });
  const ports: SearchPorts = {
    jobs: stores.jobs,
    queue,
    progress: new SolveProgressBus(connection, { subject: progressSubject }),
    outbox: relay,
    clients: { policy, sandbox: new OkSandbox(), grader: new EqualityGrader(), ppm: null },
    policyModel: () => Promise.resolve('smollm2-135m'),
    probes: {},
  };
  const runner = new SolveJobRunner(ports, { workerId, retryDelayMs: 100, trajectoryTopic: topic, logger: { log: () => undefined, warn: () => undefined, error: () => undefined } });
  const stop = new AbortController();
  const consuming = queue.consume(runner.handle, { concurrency: 1, signal: stop.signal, onExhausted: runner.onExhausted });
  relays.push({ stop, relaying: relay.run(stop.signal) });
  return { connection, queue, runner, stop, consuming };
}

async function until(predicate: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function newJob(correlationId: string) {
  return stores.jobs.create({ question: 'What is 8 * 9?', referenceAnswer: '72', config: parseSearchConfig({ rollouts: 2, width: 2 }), correlationId });
}

async function recordsOf(jobId: string, settleMs: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `search-test-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: KafkaMessage[] = [];
  await consumer.run({
    eachMessage: ({ message }) => {
      received.push(message);
      return Promise.resolve();
    },
  });
  await until(() => received.some((m) => m.key?.toString() === jobId), 30_000, `the Kafka record of ${jobId}`);
  await new Promise((r) => setTimeout(r, settleMs)); // a second record would arrive meanwhile
  await consumer.disconnect();
  return received.filter((m) => m.key?.toString() === jobId);
}

describe('search workers sharing the queue (real JetStream, PostgreSQL, Kafka)', () => {
  it('a worker killed mid-job: another instance takes the job after the ack wait and completes it, once', async () => {
    const names = { ...queueNames(), ackWaitMs: 2000 };
    const job = await newJob('corr-killed');
    const events: searchV1.SolveProgressed[] = [];
    const progress = new SolveProgressBus(nc, { subject: progressSubject }).subscribe(job.id);
    const listening = (async () => {
      for await (const e of progress) events.push(e);
    })();
    await nc.flush();

    const gated = new GatedPolicy();
    const a = await instance('worker-a', gated, names);
    await a.queue.enqueue(job.id, 'corr-killed');
    await gated.started;
    expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'running', workerId: 'worker-a', attempts: 1 });

    // SIGKILL, as far as the broker can tell: the connection is gone, with no ack, nak or release.
    await a.connection.close();
    const killedAt = Date.now();
    const b = await instance('worker-b', new AnsweringPolicy(), names);
    await until(async () => (await stores.jobs.get(job.id))?.status === 'succeeded', 20_000, 'worker-b to complete the job');
    expect(Date.now() - killedAt).toBeGreaterThan(1000); // only after the ack wait ran out
    expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'succeeded', workerId: 'worker-b', attempts: 2, answer: '72' });
    expect((await stores.trees.get(job.id))?.nodes.length).toBeGreaterThan(1);

    // The "dead" worker's search finishes after all: its complete() loses, and it publishes nothing.
    gated.open();
    await until(() => a.runner.inFlight === 0, 10_000, 'worker-a to give up');
    expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'succeeded', workerId: 'worker-b', attempts: 2 });

    const records = await recordsOf(job.id, 1500);
    expect(records).toHaveLength(1);
    expect(records[0]!.headers?.['x-correlation-id']?.toString()).toBe('corr-killed');
    expect(JSON.parse(records[0]!.value!.toString())).toMatchObject({ jobId: job.id, answer: '72', evaluator: 'ground-truth', policyModel: 'smollm2-135m' });

    await listening;
    expect(events.filter((e) => e.status === searchV1.JobStatus.JOB_STATUS_SUCCEEDED)).toHaveLength(1);
    b.stop.abort();
    a.stop.abort();
    await b.consuming;
    expect(await b.queue.depth()).toEqual({ pending: 0, inFlight: 0 });
  }, 60_000);

  it('a worker shut down gracefully hands its job to another instance at once, not after the ack wait', async () => {
    const names = { ...queueNames(), ackWaitMs: 30_000 };
    const job = await newJob('corr-drained');
    const gated = new GatedPolicy();
    const a = await instance('worker-c', gated, names);
    await a.queue.enqueue(job.id, 'corr-drained');
    await gated.started;
    const b = await instance('worker-d', new AnsweringPolicy(), names);

    const stoppedAt = Date.now();
    a.stop.abort();
    a.runner.stop();
    await a.consuming;
    await until(async () => (await stores.jobs.get(job.id))?.status === 'succeeded', 10_000, 'worker-d to complete the job');
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'succeeded', workerId: 'worker-d', attempts: 2 });
    b.stop.abort();
    await b.consuming;
    expect(await b.queue.depth()).toEqual({ pending: 0, inFlight: 0 });
    expect(await recordsOf(job.id, 0)).toHaveLength(1);
  }, 60_000);
});
