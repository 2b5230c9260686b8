import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { searchV1 } from '@rstar/contracts';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { currentCorrelationId } from '@rstar/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection } from '../src/nats-connection.js';
import { SolveJobQueue, type QueueEvent, type SolveJobDelivery, type SolveJobDisposition, type SolveJobHandler, type SolveJobQueueOptions } from '../src/solve-job-queue.js';

// Real NATS JetStream (tools/infra up). Each test has its own stream, subject and consumer so tests never
// see each other's messages.
const NATS_URL = process.env['RSTAR_NATS_URL'] ?? 'nats://127.0.0.1:4222';

let nc: NatsConnection;
const streams: string[] = [];
const connections: NatsConnection[] = [];

beforeAll(async () => {
  try {
    nc = await connectNats(NATS_URL, 'jobs-queue-test');
  } catch (error) {
    throw new Error(`NATS JetStream is not reachable at ${NATS_URL} (start it with tools/infra up): ${String(error)}`);
  }
});

afterEach(async () => {
  const jsm = await jetstreamManager(nc);
  for (const s of streams.splice(0)) await jsm.streams.delete(s).catch(() => undefined);
  for (const c of connections.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await nc?.close();
});

function names(): Required<Pick<SolveJobQueueOptions, 'stream' | 'subject' | 'consumer' | 'deadLetterSubject' | 'deadLetterStream'>> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  streams.push(`TEST_JOBS_${id}`, `TEST_DEAD_${id}`);
  return { stream: `TEST_JOBS_${id}`, subject: `test.jobs.${id}`, consumer: `workers_${id}`, deadLetterSubject: `test.deadletter.${id}`, deadLetterStream: `TEST_DEAD_${id}` };
}

async function extraConnection(): Promise<NatsConnection> {
  const c = await connectNats(NATS_URL, 'jobs-queue-test-2');
  connections.push(c);
  return c;
}

/** A handler from a synchronous decision. */
function sync(decide: (d: SolveJobDelivery) => SolveJobDisposition): SolveJobHandler {
  return (d) => Promise.resolve(decide(d));
}

/** Resolves when `predicate` holds, polling; fails the test after `timeoutMs`. */
async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SolveJobQueue (real JetStream)', () => {
  it('delivers each queued job once, with its correlation id in scope, and acks it off the stream', async () => {
    const queue = await SolveJobQueue.open(nc, { ...names(), pullExpiresMs: 5000 });
    await queue.enqueue('job-a', 'corr-a');
    await queue.enqueue('job-b', 'corr-b');
    const seen: { jobId: string; correlationId: string; inScope: string | undefined; deliveryCount: number; lastDelivery: boolean }[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        seen.push({ jobId: d.jobId, correlationId: d.correlationId, inScope: currentCorrelationId(), deliveryCount: d.deliveryCount, lastDelivery: d.lastDelivery });
        return { action: 'ack' };
      }),
      { concurrency: 2, signal: stop.signal },
    );
    await waitFor(() => seen.length === 2, 10_000, 'two deliveries');
    stop.abort();
    await consuming;
    expect(seen.sort((a, b) => a.jobId.localeCompare(b.jobId))).toEqual([
      { jobId: 'job-a', correlationId: 'corr-a', inScope: 'corr-a', deliveryCount: 1, lastDelivery: false },
      { jobId: 'job-b', correlationId: 'corr-b', inScope: 'corr-b', deliveryCount: 1, lastDelivery: false },
    ]);
    expect(await queue.depth()).toEqual({ pending: 0, inFlight: 0 });
    const info = await (await jetstreamManager(nc)).streams.info(queue.stream);
    expect(info.state.messages).toBe(0); // work-queue retention: an acked job is gone
  });

  it('stores a job enqueued twice once (the job id is the message id)', async () => {
    const queue = await SolveJobQueue.open(nc, names());
    const first = await queue.enqueue('job-dup', 'c1');
    const second = await queue.enqueue('job-dup', 'c2');
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    expect(await queue.depth()).toEqual({ pending: 1, inFlight: 0 });
  });

  it('redelivers a job whose consumer took it and never acked, after the ack wait', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, ackWaitMs: 2000, pullExpiresMs: 5000 });
    await queue.enqueue('job-lost', 'corr-lost');
    await queue.depth(); // creates the consumer
    // A worker that pulls the job and dies: no ack, no heartbeat.
    const dying = await extraConnection();
    const taken = await (await jetstream(dying).consumers.get(n.stream, n.consumer)).next({ expires: 2000 });
    expect(taken?.info.deliveryCount).toBe(1);
    await dying.close();
    const started = Date.now();
    const seen: SolveJobDelivery[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        seen.push(d);
        return { action: 'ack' };
      }),
      { concurrency: 1, signal: stop.signal },
    );
    await waitFor(() => seen.length === 1, 10_000, 'the redelivery');
    stop.abort();
    await consuming;
    expect(seen[0]).toMatchObject({ jobId: 'job-lost', correlationId: 'corr-lost', deliveryCount: 2 });
    expect(Date.now() - started).toBeGreaterThan(1000); // not before the ack wait ran out
  });

  it('leaves an abandoned delivery alone: it comes back only after the ack wait', async () => {
    const queue = await SolveJobQueue.open(nc, { ...names(), ackWaitMs: 1000, pullExpiresMs: 5000 });
    await queue.enqueue('job-abandoned', 'c');
    const seen: { count: number; at: number }[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        seen.push({ count: d.deliveryCount, at: Date.now() });
        return d.deliveryCount === 1 ? { action: 'abandon' } : { action: 'ack' };
      }),
      { concurrency: 1, signal: stop.signal },
    );
    await waitFor(() => seen.length === 2, 10_000, 'the redelivery');
    stop.abort();
    await consuming;
    expect(seen.map((s) => s.count)).toEqual([1, 2]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('keeps a long job from being redelivered while its handler runs (in-progress heartbeats)', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, ackWaitMs: 1500, pullExpiresMs: 5000 });
    const rival = await SolveJobQueue.open(await extraConnection(), { ...n, ackWaitMs: 1500, pullExpiresMs: 5000 });
    await queue.enqueue('job-long', 'c');
    const deliveries: string[] = [];
    const stop = new AbortController();
    const slow = queue.consume(
      async () => {
        deliveries.push('slow');
        await new Promise((r) => setTimeout(r, 4500)); // three ack waits
        return { action: 'ack' };
      },
      { concurrency: 1, signal: stop.signal },
    );
    await waitFor(() => deliveries.length === 1, 10_000, 'the first delivery');
    const other = rival.consume(
      sync(() => {
        deliveries.push('rival');
        return { action: 'ack' };
      }),
      { concurrency: 1, signal: stop.signal },
    );
    await new Promise((r) => setTimeout(r, 5500));
    stop.abort();
    await Promise.all([slow, other]);
    expect(deliveries).toEqual(['slow']);
  }, 20_000);

  it('redelivers a nakked job after the delay, and dead-letters it once no handler may see it again', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, maxDeliver: 2, pullExpiresMs: 5000 });
    const deadLetters = nc.subscribe(n.deadLetterSubject);
    await queue.enqueue('job-flaky', 'corr-flaky');
    const seen: { count: number; last: boolean; at: number }[] = [];
    const exhausted: SolveJobDelivery[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        seen.push({ count: d.deliveryCount, last: d.lastDelivery, at: Date.now() });
        return { action: 'nak', delayMs: 300 };
      }),
      {
        concurrency: 1,
        signal: stop.signal,
        onExhausted: (d) => {
          exhausted.push(d);
          return Promise.resolve();
        },
      },
    );
    const [msg] = await takeOne(deadLetters, 10_000);
    stop.abort();
    await consuming;
    expect(seen.map(({ count, last }) => ({ count, last }))).toEqual([
      { count: 1, last: false },
      { count: 2, last: true },
    ]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(250);
    expect(exhausted.map((d) => [d.jobId, d.deliveryCount])).toEqual([['job-flaky', 3]]);
    const event = searchV1.MessageDeadLettered.fromJSON(JSON.parse(new TextDecoder().decode(msg!.data)));
    expect(event).toMatchObject({ subject: n.subject, reason: 'not settled after 2 deliveries', correlationId: 'corr-flaky' });
    expect(JSON.parse(event.payload.toString('utf8'))).toEqual({ jobId: 'job-flaky' });
    expect(msg!.headers?.get('x-correlation-id')).toBe('corr-flaky');
    expect(await queue.depth()).toEqual({ pending: 0, inFlight: 0 });
  });

  it('nakks a job whose handler throws, and dead-letters it when the handler throws on the last delivery', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, maxDeliver: 2, pullExpiresMs: 5000 });
    const deadLetters = nc.subscribe(n.deadLetterSubject);
    await queue.enqueue('job-broken', 'corr-broken');
    const counts: number[] = [];
    const events: QueueEvent[] = [];
    const exhausted: string[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        counts.push(d.deliveryCount);
        throw new Error(`boom ${d.deliveryCount}`);
      }),
      { concurrency: 1, signal: stop.signal, errorNakDelayMs: 100, onEvent: (e) => events.push(e), onExhausted: (d) => Promise.resolve(void exhausted.push(d.jobId)) },
    );
    const [msg] = await takeOne(deadLetters, 10_000);
    stop.abort();
    await consuming;
    expect(counts).toEqual([1, 2]);
    expect(exhausted).toEqual([]); // terminated on the last delivery: never redelivered
    const event = searchV1.MessageDeadLettered.fromJSON(JSON.parse(new TextDecoder().decode(msg!.data)));
    expect(event.reason).toBe('handler failed on the last delivery: boom 2');
    expect(events.filter((e) => e.kind === 'handler_threw')).toHaveLength(2);
    expect(await queue.depth()).toEqual({ pending: 0, inFlight: 0 });
  });

  it('terminates and dead-letters a payload that breaks the contract without calling the handler', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, pullExpiresMs: 5000 });
    const deadLetters = nc.subscribe(n.deadLetterSubject);
    await jetstream(nc).publish(n.subject, JSON.stringify({ jobId: 42, extra: true }));
    const handled: string[] = [];
    const events: QueueEvent[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(
      sync((d) => {
        handled.push(d.jobId);
        return { action: 'ack' };
      }),
      { concurrency: 1, signal: stop.signal, onEvent: (e) => events.push(e) },
    );
    const [msg] = await takeOne(deadLetters, 10_000);
    stop.abort();
    await consuming;
    const event = searchV1.MessageDeadLettered.fromJSON(JSON.parse(new TextDecoder().decode(msg!.data)));
    expect(event.reason).toMatch(/^malformed payload: invalid SolveJobQueued: .*jobId must be string.*unknown field extra/);
    expect(JSON.parse(event.payload.toString('utf8'))).toEqual({ jobId: 42, extra: true });
    expect(event.correlationId).not.toBe('');
    expect(handled).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'dead_lettered', jobId: null }));
    expect(await queue.depth()).toEqual({ pending: 0, inFlight: 0 });
    // Kept in the dead-letter stream, not only sent to whoever listened at the time.
    const kept = await queue.deadLetters();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ reason: event.reason, subject: n.subject, correlationId: event.correlationId });
  });

  it('does not terminate a message whose dead letter JetStream did not store (it comes back instead)', async () => {
    const n = names();
    const queue = await SolveJobQueue.open(nc, { ...n, pullExpiresMs: 1000, ackWaitMs: 1000, maxDeliver: 1 });
    // The dead-letter stream is gone: no stream stores the letter, so the publish is refused.
    await (await jetstreamManager(nc)).streams.delete(n.deadLetterStream);
    await queue.enqueue('job-unstored', 'corr-unstored');
    const events: QueueEvent[] = [];
    const stop = new AbortController();
    const consuming = queue.consume(sync(() => ({ action: 'term', reason: 'job failed: boom' })), { concurrency: 1, signal: stop.signal, onEvent: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.kind === 'settle_failed'), 10_000, 'the refused dead letter');
    stop.abort();
    await consuming;
    expect(events.some((e) => e.kind === 'dead_lettered')).toBe(false);
    // Not terminated: the message is still in the work queue (a workqueue stream drops a message once terminated).
    const info = await (await jetstreamManager(nc)).streams.info(n.stream);
    expect(info.state.messages).toBe(1);
  });

  it('stops pulling at once when the signal aborts, without waiting for the pull to expire', async () => {
    const queue = await SolveJobQueue.open(nc, { ...names(), pullExpiresMs: 10_000 });
    const stop = new AbortController();
    const consuming = queue.consume(sync(() => ({ action: 'ack' })), { concurrency: 3, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    stop.abort();
    await consuming;
    expect(Date.now() - started).toBeLessThan(1000);
    // A job queued after the stop is not taken by the cancelled pulls: it waits, undelivered, for another instance.
    await queue.enqueue('job-after', 'c');
    await new Promise((r) => setTimeout(r, 300));
    expect(await queue.depth()).toEqual({ pending: 1, inFlight: 0 });
    const next: SolveJobDelivery[] = [];
    const again = new AbortController();
    const consumingAgain = queue.consume(
      sync((d) => {
        next.push(d);
        again.abort();
        return { action: 'ack' };
      }),
      { concurrency: 1, signal: again.signal },
    );
    await consumingAgain;
    expect(next.map((d) => [d.jobId, d.deliveryCount])).toEqual([['job-after', 1]]);
  });

  it('brings an existing consumer to the configured ack wait and max deliver', async () => {
    const n = names();
    await (await SolveJobQueue.open(nc, { ...n, ackWaitMs: 2000, maxDeliver: 3 })).depth();
    await (await SolveJobQueue.open(nc, { ...n, ackWaitMs: 4000, maxDeliver: 7 })).depth();
    const info = await (await jetstreamManager(nc)).consumers.info(n.stream, n.consumer);
    expect(info.config.ack_wait).toBe(4000 * 1_000_000);
    expect(info.config.max_deliver).toBe(8); // one delivery past the handlers' last, for the dead letter
  });
});

async function takeOne(sub: Subscription, timeoutMs: number): Promise<Msg[]> {
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  try {
    for await (const m of sub) return [m];
    throw new Error('no dead letter arrived');
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}
