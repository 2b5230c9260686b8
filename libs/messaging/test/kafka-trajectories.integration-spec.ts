import { randomUUID } from 'node:crypto';
import { searchV1 } from '@rstar/contracts';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobMessagingError } from '../src/solve-job-queue.js';
import { TrajectoryConsumer, type SkippedRecord } from '../src/trajectory-consumer.js';
import { MESSAGE_TYPE_HEADER, TRAJECTORY_COMPLETED_TYPE, TrajectoryPublisher } from '../src/trajectory-publisher.js';

// Real Kafka 4 in KRaft mode (tools/infra up); the test makes its own topic and deletes it.
const BROKERS = (process.env['RSTAR_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topic = `test.trajectories.${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: 'trajectory-test', brokers: BROKERS, logLevel: logLevel.NOTHING, connectionTimeout: 3000 });
let publisher: TrajectoryPublisher;
let consumer: Consumer | null = null;

beforeAll(async () => {
  publisher = new TrajectoryPublisher({ brokers: BROKERS, clientId: 'trajectory-test', topic, partitions: 3 });
  try {
    await publisher.connect();
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${BROKERS.join(',')} (start it with tools/infra up): ${String(error)}`);
  }
}, 60_000);

afterAll(async () => {
  await consumer?.disconnect();
  await publisher?.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

function trajectory(jobId: string, problemId: string | undefined): searchV1.TrajectoryCompleted {
  return {
    jobId,
    problemId,
    question: 'What is 6 * 12?',
    referenceAnswer: '72',
    method: 'mcts',
    evaluator: 'ground-truth',
    answer: '72',
    answerQ: 0.75,
    bestTrajectory: [0, 1],
    nodes: [
      { id: 0, depth: 0, kind: 'root', text: 'What is 6 * 12?', reasoning: '', code: '', executed: false, terminal: false, q: 0.5, visits: 2, valueSum: 1 },
      {
        id: 1,
        parentId: 0,
        depth: 1,
        kind: 'answer',
        text: 'print(6 * 12)',
        reasoning: 'multiply',
        code: 'print(6 * 12)',
        output: '72',
        executed: true,
        answer: '72',
        terminal: true,
        terminalReason: 'answer',
        q: 1,
        visits: 1,
        valueSum: 1,
        reward: 1,
        correct: true,
      },
    ],
    searchConfigJson: '{"method":"mcts","rollouts":2}',
    policyModel: 'smollm2-135m',
    rollouts: 2,
    elapsedMs: 1234,
    completedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('TrajectoryPublisher (real Kafka)', () => {
  it('creates the topic with the configured partitions', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
    await publisher.connect(); // again: the topic exists, nothing to do
  });

  it('publishes a tree keyed by problem id (job id when none) with the correlation and type headers', async () => {
    const first = await publisher.publish(trajectory('job-1', 'problem-7'), 'corr-1');
    const second = await publisher.publish(trajectory('job-2', undefined), 'corr-2');
    expect(first.partition).toBeGreaterThanOrEqual(0);
    expect(second.partition).toBeGreaterThanOrEqual(0);

    consumer = kafka.consumer({ groupId: `trajectory-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: KafkaMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('records did not come back within 30 s')), 30_000);
      void consumer!.run({
        eachMessage: ({ message }) => {
          received.push(message);
          if (received.length === 2) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    const byKey = new Map(received.map((m) => [m.key?.toString(), m]));
    const keyed = byKey.get('problem-7');
    expect(keyed?.headers?.['x-correlation-id']?.toString()).toBe('corr-1');
    expect(keyed?.headers?.[MESSAGE_TYPE_HEADER]?.toString()).toBe(TRAJECTORY_COMPLETED_TYPE);
    expect(searchV1.TrajectoryCompleted.fromJSON(JSON.parse(keyed!.value!.toString()))).toEqual(trajectory('job-1', 'problem-7'));
    const unkeyed = byKey.get('job-2');
    expect(unkeyed?.headers?.['x-correlation-id']?.toString()).toBe('corr-2');
    expect(JSON.parse(unkeyed!.value!.toString())).toMatchObject({ jobId: 'job-2', answer: '72' });
    expect(JSON.parse(unkeyed!.value!.toString())).not.toHaveProperty('problemId');
  }, 60_000);

  it('refuses to publish when not connected', async () => {
    const idle = new TrajectoryPublisher({ brokers: BROKERS, topic });
    await expect(idle.publish(trajectory('job-3', undefined))).rejects.toBeInstanceOf(JobMessagingError);
  });
});

describe('TrajectoryConsumer (real Kafka)', () => {
  async function until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('hands each tree to the handler with its correlation id, skips a record that breaks the contract, and retries a failed handler', async () => {
    const groupId = `curation-test-${randomUUID()}`;
    await publisher.send({ topic, key: 'junk', payload: '{"jobId": 5}', headers: { [MESSAGE_TYPE_HEADER]: TRAJECTORY_COMPLETED_TYPE } });
    await publisher.publish(trajectory('job-c1', 'problem-c'), 'corr-c1');
    const seen: string[] = [];
    const skipped: SkippedRecord[] = [];
    let failures = 1;
    const consumer = new TrajectoryConsumer({ brokers: BROKERS, groupId, topic, retryDelayMs: 100 });
    const handler = (event: searchV1.TrajectoryCompleted, meta: { correlationId: string }): Promise<void> => {
      if (event.jobId === 'job-c1' && failures-- > 0) return Promise.reject(new Error('database away'));
      seen.push(`${event.jobId}/${meta.correlationId}`);
      return Promise.resolve();
    };
    const retried: unknown[] = [];
    await consumer.start(handler, { onSkipped: (r) => skipped.push(r), onRetry: (e) => retried.push(e) });
    try {
      await until(() => seen.includes('job-c1/corr-c1') && skipped.length > 0, 'the tree and the skipped record');
      expect(skipped.map((r) => r.reason)).toEqual([expect.stringMatching(/^malformed payload: invalid TrajectoryCompleted/)]);
      expect(retried).toHaveLength(1);
    } finally {
      await consumer.stop();
    }

    // The group committed what it handled: a new consumer of the group reads only what came after.
    await publisher.publish(trajectory('job-c2', 'problem-c'), 'corr-c2');
    const again = new TrajectoryConsumer({ brokers: BROKERS, groupId, topic });
    const later: string[] = [];
    await again.start((event) => {
      later.push(event.jobId);
      return Promise.resolve();
    });
    try {
      await until(() => later.includes('job-c2'), 'the record published after the commit');
      expect(later.filter((id) => id.startsWith('job-c'))).toEqual(['job-c2']);
    } finally {
      await again.stop();
    }
  }, 90_000);
});
