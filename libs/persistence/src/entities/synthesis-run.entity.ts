import type { SearchConfig } from '@rstar/mcts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

/** A synthesis run of the deployment: MCTS with ground-truth rewards over a dataset's problems, one job each. */
@Entity({ name: 'synthesis_runs' })
@Index('synthesis_runs_created_at_idx', ['createdAt', 'id'])
export class SynthesisRunEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'synthesis_runs_pk' })
  id!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  /** The self-evolution round its trees are curated into. */
  @Column({ name: 'round', type: 'integer' })
  round!: number;

  @Column({ name: 'dataset_id', type: 'varchar', length: UUID_LENGTH })
  datasetId!: string;

  /** The search every job of the run runs. */
  @Column({ name: 'config', type: 'simple-json' })
  config!: SearchConfig;

  @Column({ name: 'problem_count', type: 'integer' })
  problemCount!: number;

  @Column({ name: 'api_key_id', type: 'varchar', length: UUID_LENGTH, nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128 })
  correlationId!: string;

  @EpochMsColumn('created_at')
  createdAt!: number;
}

/** The jobs of a synthesis run (a job belongs to one run at most). */
@Entity({ name: 'synthesis_run_jobs' })
@Index('synthesis_run_jobs_job_uq', ['jobId'], { unique: true })
export class SynthesisRunJobEntity {
  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'synthesis_run_jobs_pk' })
  runId!: string;

  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'synthesis_run_jobs_pk' })
  jobId!: string;

  @Column({ name: 'problem_id', type: 'varchar', length: UUID_LENGTH })
  problemId!: string;
}
