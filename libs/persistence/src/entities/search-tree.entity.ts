import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';
import { SolveJobEntity } from './solve-job.entity.js';

/** The search tree a finished job stored: one per job, its nodes in `tree_nodes`. */
@Entity({ name: 'search_trees' })
@Index('search_trees_created_at_idx', ['createdAt'])
export class SearchTreeEntity {
  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'search_trees_pk' })
  jobId!: string;

  @ManyToOne(() => SolveJobEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'search_trees_job_fk' })
  job?: Relation<SolveJobEntity>;

  @Column({ name: 'evaluator', type: 'varchar', length: 200 })
  evaluator!: string;

  @Column({ name: 'answer_node_id', type: 'integer', nullable: true })
  answerNodeId!: number | null;

  /** Node ids from the root to the answer node, JSON text on both drivers. */
  @Column({ name: 'best_trajectory', type: 'simple-json' })
  bestTrajectory!: number[];

  @Column({ name: 'node_count', type: 'integer' })
  nodeCount!: number;

  @EpochMsColumn('created_at')
  createdAt!: number;
}
