import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

/**
 * A message to publish (a finished tree for Kafka), written in the transaction that finished the job, so a job
 * that succeeded always has its message; a relay publishes it and stamps `published_at`.
 */
@Entity({ name: 'outbox_messages' })
@Index('outbox_messages_pending_ix', ['publishedAt', 'createdAt'])
export class OutboxMessageEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'outbox_messages_pk' })
  id!: string;

  @Column({ name: 'topic', type: 'varchar', length: 200 })
  topic!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 200 })
  messageKey!: string;

  @Column({ name: 'payload', type: 'text' })
  payload!: string;

  @Column({ name: 'headers', type: 'simple-json' })
  headers!: Record<string, string>;

  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The relay sending it now; another relay leaves it alone until `lease_until`. */
  @Column({ name: 'leased_by', type: 'varchar', length: 200, nullable: true })
  leasedBy!: string | null;

  @EpochMsColumn('lease_until', { nullable: true })
  leaseUntil!: number | null;

  @EpochMsColumn('created_at')
  createdAt!: number;

  @EpochMsColumn('published_at', { nullable: true })
  publishedAt!: number | null;
}
