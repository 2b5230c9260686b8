import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TrainingSetKind } from '../records.js';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

/** A registered training set: the JSONL lives elsewhere (uri); the row keeps its manifest and counts. */
@Entity({ name: 'training_sets' })
@Index('training_sets_name_uq', ['name'], { unique: true })
export class TrainingSetEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'training_sets_pk' })
  id!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: TrainingSetKind;

  @Column({ name: 'uri', type: 'text' })
  uri!: string;

  @Column({ name: 'round', type: 'integer' })
  round!: number;

  @Column({ name: 'record_count', type: 'integer' })
  recordCount!: number;

  /** The manifest (counts by reason, command, source problems, special tokens…) as JSON text on both drivers. */
  @Column({ name: 'metadata', type: 'simple-json' })
  metadata!: Record<string, unknown>;

  @EpochMsColumn('created_at')
  createdAt!: number;

  @EpochMsColumn('updated_at')
  updatedAt!: number;
}
