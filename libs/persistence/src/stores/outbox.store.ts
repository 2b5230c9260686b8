import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Db } from '../db.js';
import { OutboxMessageEntity } from '../entities/outbox-message.entity.js';
import { PersistenceError } from '../errors.js';
import { toOutboxRecord } from '../mappers.js';
import type { NewOutboxMessage, OutboxMessageRecord } from '../records.js';
import type { OutboxStore } from '../stores.js';

/** The row of a new message; the job store inserts it in the transaction that finishes the job. */
export function outboxRow(message: NewOutboxMessage, now: number): OutboxMessageEntity {
  if (message.topic === '') throw new PersistenceError('INVALID', 'an outbox message needs a topic');
  return {
    id: randomUUID(),
    topic: message.topic,
    messageKey: message.key,
    payload: message.payload,
    headers: message.headers,
    attempts: 0,
    lastError: null,
    leasedBy: null,
    leaseUntil: null,
    createdAt: now,
    publishedAt: null,
  };
}

export async function insertOutboxMessage(m: EntityManager, message: NewOutboxMessage, now: number): Promise<OutboxMessageEntity> {
  const row = outboxRow(message, now);
  await m.insert(OutboxMessageEntity, row);
  return row;
}

export class TypeOrmOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async add(message: NewOutboxMessage): Promise<OutboxMessageRecord> {
    const row = await this.db.run((m) => insertOutboxMessage(m, message, this.now()));
    return toOutboxRecord(row);
  }

  async lease(limit: number, holder: string, leaseMs: number): Promise<OutboxMessageRecord[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new PersistenceError('INVALID', `limit must be a positive integer, got ${limit}`);
    if (holder === '') throw new PersistenceError('INVALID', 'a lease needs a holder');
    const now = this.now();
    const until = now + leaseMs;
    return this.db.tx(async (m) => {
      const free = 'published_at IS NULL AND (lease_until IS NULL OR lease_until < :now OR leased_by = :holder)';
      const oldestFree = `SELECT id FROM outbox_messages WHERE ${free} ORDER BY created_at, id LIMIT ${limit}`;
      // The condition again outside the subquery: PostgreSQL re-checks it on a row another relay leased meanwhile.
      await m
        .createQueryBuilder()
        .update(OutboxMessageEntity)
        .set({ leasedBy: holder, leaseUntil: until })
        .where(`id IN (${oldestFree}) AND ${free}`, { now, holder })
        .execute();
      const rows = await m.find(OutboxMessageEntity, { where: { leasedBy: holder, leaseUntil: until, publishedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
      return rows.map(toOutboxRecord);
    });
  }

  async pending(limit: number): Promise<OutboxMessageRecord[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new PersistenceError('INVALID', `limit must be a positive integer, got ${limit}`);
    const rows = await this.db.run((m) =>
      m.find(OutboxMessageEntity, { where: { publishedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit }),
    );
    return rows.map(toOutboxRecord);
  }

  async markPublished(id: string): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.createQueryBuilder().update(OutboxMessageEntity).set({ publishedAt: this.now() }).where('id = :id AND published_at IS NULL', { id }).execute(),
    );
    return result.affected === 1;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.run((m) =>
      m
        .createQueryBuilder()
        .update(OutboxMessageEntity)
        .set({ attempts: () => 'attempts + 1', lastError: error.slice(0, 2000), leasedBy: null, leaseUntil: null })
        .where('id = :id AND published_at IS NULL', { id })
        .execute(),
    );
  }

  countPending(): Promise<number> {
    return this.db.run((m) => m.countBy(OutboxMessageEntity, { publishedAt: IsNull() }));
  }
}
