import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

/**
 * A finished tree that curation has turned into training records, one row per job: inserting it is what makes
 * curating a tree idempotent (a tree delivered again finds its row and adds nothing).
 */
@Entity({ name: 'curated_trees' })
@Index('curated_trees_round_ix', ['round', 'createdAt'])
export class CuratedTreeEntity {
  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'curated_trees_pk' })
  jobId!: string;

  @Column({ name: 'problem_id', type: 'varchar', length: 200 })
  problemId!: string;

  @Column({ name: 'round', type: 'integer' })
  round!: number;

  @Column({ name: 'trace_count', type: 'integer' })
  traceCount!: number;

  @Column({ name: 'pair_count', type: 'integer' })
  pairCount!: number;

  /** What curation left out and why (correct traces, code errors, pairs below the margin…). */
  @Column({ name: 'counts', type: 'simple-json' })
  counts!: Record<string, number>;

  @EpochMsColumn('created_at')
  createdAt!: number;
}

/** One curated training record: an SFT trace (`sft`) or a PPM preference pair (`pair`), as JSON in its schema. */
@Entity({ name: 'curated_records' })
@Index('curated_records_round_ix', ['kind', 'round', 'createdAt', 'jobId', 'recordId'])
export class CuratedRecordEntity {
  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'curated_records_pk' })
  jobId!: string;

  @PrimaryColumn({ name: 'kind', type: 'varchar', length: 8, primaryKeyConstraintName: 'curated_records_pk' })
  kind!: 'sft' | 'pair';

  @PrimaryColumn({ name: 'record_id', type: 'varchar', length: 300, primaryKeyConstraintName: 'curated_records_pk' })
  recordId!: string;

  @Column({ name: 'round', type: 'integer' })
  round!: number;

  @Column({ name: 'problem_id', type: 'varchar', length: 200 })
  problemId!: string;

  @Column({ name: 'record', type: 'simple-json' })
  record!: Record<string, unknown>;

  @EpochMsColumn('created_at')
  createdAt!: number;
}
