import type { NodeReport } from '@rstar/mcts';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UUID_LENGTH } from './columns.js';
import { SearchTreeEntity } from './search-tree.entity.js';

/** One node of a stored tree: every field of `NodeReport`, keyed by (job, node id). */
@Entity({ name: 'tree_nodes' })
export class TreeNodeEntity {
  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'tree_nodes_pk' })
  jobId!: string;

  @PrimaryColumn({ name: 'node_id', type: 'integer', primaryKeyConstraintName: 'tree_nodes_pk' })
  nodeId!: number;

  @ManyToOne(() => SearchTreeEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'tree_nodes_tree_fk' })
  tree?: Relation<SearchTreeEntity>;

  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId!: number | null;

  @Column({ name: 'depth', type: 'integer' })
  depth!: number;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: NodeReport['kind'];

  @Column({ name: 'text', type: 'text' })
  text!: string;

  @Column({ name: 'reasoning', type: 'text' })
  reasoning!: string;

  @Column({ name: 'code', type: 'text' })
  code!: string;

  @Column({ name: 'output', type: 'text', nullable: true })
  output!: string | null;

  @Column({ name: 'error_kind', type: 'varchar', length: 16, nullable: true })
  errorKind!: NodeReport['errorKind'];

  @Column({ name: 'executed', type: 'boolean' })
  executed!: boolean;

  @Column({ name: 'answer', type: 'text', nullable: true })
  answer!: string | null;

  @Column({ name: 'terminal', type: 'boolean' })
  terminal!: boolean;

  @Column({ name: 'terminal_reason', type: 'varchar', length: 16, nullable: true })
  terminalReason!: NodeReport['terminalReason'];

  @Column({ name: 'q', type: 'double precision' })
  q!: number;

  @Column({ name: 'visits', type: 'integer' })
  visits!: number;

  @Column({ name: 'value_sum', type: 'double precision' })
  valueSum!: number;

  @Column({ name: 'ppm_score', type: 'double precision', nullable: true })
  ppmScore!: number | null;

  @Column({ name: 'reward', type: 'double precision', nullable: true })
  reward!: number | null;

  @Column({ name: 'correct', type: 'boolean', nullable: true })
  correct!: boolean | null;
}
