import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ModelKind } from '../records.js';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

@Entity({ name: 'models' })
@Index('models_name_uq', ['name'], { unique: true })
export class ModelEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'models_pk' })
  id!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: ModelKind;

  @Column({ name: 'uri', type: 'text' })
  uri!: string;

  @Column({ name: 'round', type: 'integer' })
  round!: number;

  /** JSON text on both drivers. */
  @Column({ name: 'metadata', type: 'simple-json' })
  metadata!: Record<string, unknown>;

  @EpochMsColumn('created_at')
  createdAt!: number;

  @EpochMsColumn('updated_at')
  updatedAt!: number;
}
