import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApiKeyRole } from '../records.js';
import { EpochMsColumn, UUID_LENGTH } from './columns.js';

@Entity({ name: 'api_keys' })
@Index('api_keys_prefix_uq', ['prefix'], { unique: true })
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: UUID_LENGTH, primaryKeyConstraintName: 'api_keys_pk' })
  id!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  /** The first 12 characters of the secret (`rsk_` and 8 more): how a presented secret is looked up. */
  @Column({ name: 'prefix', type: 'varchar', length: 12 })
  prefix!: string;

  /** SHA-256 of the whole secret, lower-case hex. */
  @Column({ name: 'secret_sha256', type: 'varchar', length: 64 })
  secretSha256!: string;

  @Column({ name: 'role', type: 'varchar', length: 16 })
  role!: ApiKeyRole;

  @Column({ name: 'rate_limit_per_minute', type: 'integer' })
  rateLimitPerMinute!: number;

  @EpochMsColumn('created_at')
  createdAt!: number;

  @EpochMsColumn('revoked_at', { nullable: true })
  revokedAt!: number | null;

  @EpochMsColumn('last_used_at', { nullable: true })
  lastUsedAt!: number | null;
}
