import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';
import { DatasetEntity } from './dataset.entity.js';

@Entity({ name: 'problems' })
@Index('problems_dataset_external_id_uq', ['datasetId', 'externalId'], { unique: true })
/** Import order within a dataset: the key of its pages. */
@Index('problems_dataset_position_uq', ['datasetId', 'position'], { unique: true })
export class ProblemEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'problems_pk' })
  id!: string;

  @Column({ name: 'dataset_id', type: 'varchar', length: UUID_LENGTH })
  datasetId!: string;

  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'dataset_id', foreignKeyConstraintName: 'problems_dataset_fk' })
  dataset?: Relation<DatasetEntity>;

  /** 1-based import order within the dataset. */
  @Column({ name: 'position', type: 'integer' })
  position!: number;

  @Column({ name: 'external_id', type: 'varchar', length: 200 })
  externalId!: string;

  @Column({ name: 'question', type: 'text' })
  question!: string;

  @Column({ name: 'answer', type: 'text', nullable: true })
  answer!: string | null;

  @EpochMsColumn('created_at')
  createdAt!: number;
}
