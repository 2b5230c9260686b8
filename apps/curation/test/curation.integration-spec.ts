import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { TrajectoryConsumer, TrajectoryPublisher } from '@rstar/messaging';
import { createDataSource, migrate, openStores, type Stores } from '@rstar/persistence';
import { createTestSchema } from '@rstar/persistence/testing';
import { loadConfig } from '@rstar/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCurationService } from '../src/curation.bootstrap.js';
import { CurationConfig } from '../src/curation.config.js';
import type { OpenedCurationPorts } from '../src/curation.ports.js';
import { TrajectoryCurator } from '../src/trajectory-curator.js';
import { groundTruthTree } from './trees.js';

// The curation service against the real Kafka and PostgreSQL of tools/infra: its own topic, consumer groups
// and schema, made here and dropped afterwards.
const BROKERS = (process.env['RSTAR_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const id = randomBytes(5).toString('hex');
const topic = `test.trajectories.curation.${id}`;
const ROUND = 2;

let dataSource: DataSource;
let scratch: Awaited<ReturnType<typeof createTestSchema>> | undefined;
let stores: Stores;
let publisher: TrajectoryPublisher;
const apps: INestApplication[] = [];

beforeAll(async () => {
  scratch = await createTestSchema('curation_test');
  try {
    publisher = new TrajectoryPublisher({ brokers: BROKERS, topic, partitions: 2 });
    await publisher.connect();
  } catch (error) {
    throw new Error(`Kafka must be up (tools/infra up): ${String(error)}`);
  }
  dataSource = createDataSource(scratch.url, { schema: scratch.schema, poolSize: 4 });
  await migrate(dataSource);
  stores = openStores(dataSource);
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  await publisher?.close();
  await dataSource?.destroy();
  await scratch?.drop().catch(() => undefined);
  const admin = new Kafka({ clientId: 'curation-test', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

function consumer(groupId: string): TrajectoryConsumer {
  return new TrajectoryConsumer({ brokers: BROKERS, groupId, topic, retryDelayMs: 200 });
}

async function until(predicate: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sftOf(jobId: string): Promise<number> {
  const page = await stores.curation.records('sft', ROUND, { first: 200 });
  return page.items.filter((r) => r.jobId === jobId).length;
}

describe('curation service (real Kafka, PostgreSQL)', () => {
  it('curates each finished tree into the database once, however often it is delivered', async () => {
    const groupId = `curation-${id}-a`;
    const ports: OpenedCurationPorts = { curation: stores.curation, synthesisRuns: stores.synthesisRuns, trajectories: consumer(groupId), probes: {}, close: () => Promise.resolve() };
    const config = loadConfig('curation', CurationConfig, { RSTAR_HTTP_PORT: '0', RSTAR_LOG_LEVEL: 'fatal', RSTAR_CURATION_ROUND: String(ROUND) });
    await publisher.publish(groundTruthTree('job-a'), 'corr-a');
    await publisher.publish(groundTruthTree('job-a'), 'corr-a'); // the outbox relay sent it twice
    await publisher.publish(groundTruthTree('job-b', 'gsm8k-train-0002'), 'corr-b');
    await publisher.publish({ ...groundTruthTree('job-c'), evaluator: 'ppm' }, 'corr-c'); // not training data
    apps.push(await startCurationService(config, ports));

    await until(async () => (await stores.curation.summary(ROUND)).trees === 2 && (await sftOf('job-b')) === 1, 'both trees curated');
    await new Promise((r) => setTimeout(r, 1000)); // the duplicate would land meanwhile
    expect(await stores.curation.summary(ROUND)).toMatchObject({ trees: 2, problems: 2, covered: 2, traces: 2 });
    expect(await sftOf('job-a')).toBe(1);
    expect(await sftOf('job-c')).toBe(0);
  }, 60_000);

  it('a consumer killed after storing a tree but before committing: the next one reads it again and adds nothing', async () => {
    const groupId = `curation-${id}-b`;
    await publisher.publish(groundTruthTree('job-k', 'gsm8k-train-0009'), 'corr-k');
    const curator = new TrajectoryCurator(stores.curation, stores.synthesisRuns, ROUND, { log: () => undefined, warn: () => undefined });
    const first = consumer(groupId);
    let stored = false;
    await first.start(async (event) => {
      if (event.jobId !== 'job-k') return;
      await curator.curate(event);
      stored = true;
      void first.stop(); // the process dies here: the offset is never committed
      throw new Error('killed');
    });
    await until(() => Promise.resolve(stored), 'the first consumer to store the tree');
    await first.stop();
    const before = await stores.curation.records('pair', ROUND, { first: 200 });

    const outcomes: string[] = [];
    const second = consumer(groupId);
    await second.start(async (event) => {
      if (event.jobId === 'job-k') outcomes.push((await curator.curate(event)).kind);
    });
    try {
      await until(() => Promise.resolve(outcomes.length > 0), 'the second consumer to read the tree again');
    } finally {
      await second.stop();
    }
    expect(outcomes).toEqual(['duplicate']);
    expect(await sftOf('job-k')).toBe(1);
    expect((await stores.curation.records('pair', ROUND, { first: 200 })).total).toBe(before.total);
  }, 90_000);
});
