import type { SearchConfig } from '@rstar/mcts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { JobStatus } from '../records.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { bigintNumber, EpochMsColumn, UUID_LENGTH } from './columns.js';
import { ProblemEntity } from './problem.entity.js';

@Entity({ name: 'solve_jobs' })
/** Newest-first pages of all jobs: (created_at, id) is the cursor. */
@Index('solve_jobs_created_at_idx', ['createdAt', 'id'])
@Index('solve_jobs_status_created_at_idx', ['status', 'createdAt'])
@Index('solve_jobs_api_key_created_at_idx', ['apiKeyId', 'createdAt'])
@Index('solve_jobs_problem_idx', ['problemId'])
export class SolveJobEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'solve_jobs_pk' })
  id!: string;

  @Column({ name: 'question', type: 'text' })
  question!: string;

  @Column({ name: 'reference_answer', type: 'text', nullable: true })
  referenceAnswer!: string | null;

  @Column({ name: 'problem_id', type: 'varchar', length: UUID_LENGTH, nullable: true })
  problemId!: string | null;

  @ManyToOne(() => ProblemEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'problem_id', foreignKeyConstraintName: 'solve_jobs_problem_fk' })
  problem?: Relation<ProblemEntity> | null;

  /** The search options, JSON text on both drivers. */
  @Column({ name: 'config', type: 'simple-json' })
  config!: SearchConfig;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: JobStatus;

  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  @Column({ name: 'worker_id', type: 'varchar', length: 200, nullable: true })
  workerId!: string | null;

  @Column({ name: 'answer', type: 'text', nullable: true })
  answer!: string | null;

  @Column({ name: 'answer_q', type: 'double precision', nullable: true })
  answerQ!: number | null;

  @Column({ name: 'rollouts_done', type: 'integer' })
  rolloutsDone!: number;

  @Column({ name: 'rollouts_total', type: 'integer' })
  rolloutsTotal!: number;

  @Column({ name: 'best_answer', type: 'text', nullable: true })
  bestAnswer!: string | null;

  @Column({ name: 'best_q', type: 'double precision', nullable: true })
  bestQ!: number | null;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: UUID_LENGTH, nullable: true })
  apiKeyId!: string | null;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'api_key_id', foreignKeyConstraintName: 'solve_jobs_api_key_fk' })
  apiKey?: Relation<ApiKeyEntity> | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 200 })
  correlationId!: string;

  @Column({ name: 'policy_model', type: 'varchar', length: 200, nullable: true })
  policyModel!: string | null;

  @Column({ name: 'elapsed_ms', type: 'bigint', nullable: true, transformer: bigintNumber })
  elapsedMs!: number | null;

  @EpochMsColumn('created_at')
  createdAt!: number;

  /** Last state change or progress report: what a reaper of dead workers' jobs looks at. */
  @EpochMsColumn('updated_at')
  updatedAt!: number;

  /** When the current (latest) attempt began. */
  @EpochMsColumn('started_at', { nullable: true })
  startedAt!: number | null;

  @EpochMsColumn('finished_at', { nullable: true })
  finishedAt!: number | null;
}
