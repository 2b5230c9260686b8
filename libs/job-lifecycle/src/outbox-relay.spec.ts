import type { OutboxMessageRecord } from '@rstar/persistence';
import { describe, expect, it } from 'vitest';
import { OutboxRelay } from './outbox-relay.js';
import { InMemoryOutbox } from './testing/index.js';

class RecordingSink {
  readonly sent: string[] = [];
  failWith: Error | null = null;
  send(message: OutboxMessageRecord): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push(message.key);
    return Promise.resolve();
  }
}

async function outboxWith(...keys: string[]): Promise<InMemoryOutbox> {
  const outbox = new InMemoryOutbox();
  for (const key of keys) await outbox.add({ topic: 'trajectories.v1', key, payload: `{"key":"${key}"}`, headers: {} });
  return outbox;
}

describe('OutboxRelay', () => {
  it('publishes every pending message oldest first, across batches, and stamps each published', async () => {
    const outbox = await outboxWith('a', 'b', 'c', 'd', 'e');
    const sink = new RecordingSink();
    expect(await new OutboxRelay(outbox, sink, { batchSize: 2 }).drain()).toEqual({ published: 5, failed: false });
    expect(sink.sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await outbox.countPending()).toBe(0);
    expect(await new OutboxRelay(outbox, sink).drain()).toEqual({ published: 0, failed: false });
  });

  it('keeps a message the broker refused, with the error, and stops there so order is kept; the next drain sends it', async () => {
    const outbox = await outboxWith('a', 'b');
    const sink = new RecordingSink();
    sink.failWith = new Error('broker not available');
    const warnings: string[] = [];
    const relay = new OutboxRelay(outbox, sink, { logger: { warn: (m) => warnings.push(m) } });
    expect(await relay.drain()).toEqual({ published: 0, failed: true });
    expect(outbox.messages[0]).toMatchObject({ key: 'a', attempts: 1, lastError: 'broker not available', publishedAt: null });
    expect(outbox.messages[1]).toMatchObject({ key: 'b', attempts: 0 });
    expect(warnings[0]).toMatch(/key a\) not published: broker not available/);
    sink.failWith = null;
    expect(await relay.drain()).toEqual({ published: 2, failed: false });
    expect(sink.sent).toEqual(['a', 'b']);
  });

  it('run drains when nudged and stops when its signal aborts', async () => {
    const outbox = await outboxWith('a');
    const sink = new RecordingSink();
    const relay = new OutboxRelay(outbox, sink, { pollMs: 60_000 });
    const stop = new AbortController();
    const running = relay.run(stop.signal);
    await until(() => sink.sent.length === 1);
    await outbox.add({ topic: 't', key: 'b', payload: '{}', headers: {} });
    relay.nudge();
    await until(() => sink.sent.length === 2);
    stop.abort();
    await running;
    expect(sink.sent).toEqual(['a', 'b']);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('OutboxRelay: several relays on one outbox', () => {
  it('leaves the messages another relay holds, and sends them once its lease has run out', async () => {
    const outbox = await outboxWith('a', 'b');
    await outbox.lease(10, 'dead-relay', 1000);
    const sink = new RecordingSink();
    const relay = new OutboxRelay(outbox, sink, { holder: 'relay-2' });
    expect(await relay.drain()).toEqual({ published: 0, failed: false });
    outbox.now = 1001;
    expect(await relay.drain()).toEqual({ published: 2, failed: false });
    expect(sink.sent).toEqual(['a', 'b']);
  });
});
