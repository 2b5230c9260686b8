import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

@Entity({ name: 'datasets' })
@Index('datasets_name_uq', ['name'], { unique: true })
export class DatasetEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'datasets_pk' })
  id!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  /** Where the problems came from (a file name, a URL). */
  @Column({ name: 'source', type: 'text' })
  source!: string;

  @Column({ name: 'problem_count', type: 'integer' })
  problemCount!: number;

  @EpochMsColumn('created_at')
  createdAt!: number;
}
