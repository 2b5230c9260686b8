import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db.js';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { isPersistenceError, PersistenceError } from '../errors.js';
import { toApiKeyRecord } from '../mappers.js';
import { API_KEY_ROLES, type ApiKeyCheck, type ApiKeyRecord, type ApiKeyRole } from '../records.js';
import type { ApiKeyStore } from '../stores.js';

export const API_KEY_SECRET_PREFIX = 'rsk_';
/** `rsk_` and 32 random bytes in base64url (43 characters). */
export const API_KEY_SECRET_LENGTH = API_KEY_SECRET_PREFIX.length + 43;
/** How much of the secret is stored in clear to find the key (and shown to tell keys apart). */
export const API_KEY_PREFIX_LENGTH = 12;

function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class TypeOrmApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(options: { name: string; role: ApiKeyRole; rateLimitPerMinute: number }): Promise<{ key: ApiKeyRecord; secret: string }> {
    if (options.name.trim() === '') throw new PersistenceError('INVALID', 'an API key needs a name');
    if (!API_KEY_ROLES.includes(options.role)) throw new PersistenceError('INVALID', `unknown API key role ${String(options.role)}`);
    if (!Number.isInteger(options.rateLimitPerMinute) || options.rateLimitPerMinute < 1) {
      throw new PersistenceError('INVALID', `rateLimitPerMinute must be a positive integer, not ${options.rateLimitPerMinute}`);
    }
    // 48 random bits in the prefix: a collision is rare, but it is a unique column, so try again.
    for (let attempt = 1; ; attempt++) {
      const secret = API_KEY_SECRET_PREFIX + randomBytes(32).toString('base64url');
      const row: ApiKeyEntity = {
        id: randomUUID(),
        name: options.name,
        prefix: secret.slice(0, API_KEY_PREFIX_LENGTH),
        secretSha256: sha256(secret).toString('hex'),
        role: options.role,
        rateLimitPerMinute: options.rateLimitPerMinute,
        createdAt: this.now(),
        revokedAt: null,
        lastUsedAt: null,
      };
      try {
        await this.db.run((m) => m.insert(ApiKeyEntity, row));
        return { key: toApiKeyRecord(row), secret };
      } catch (error) {
        if (attempt < 3 && isPersistenceError(error, 'CONFLICT')) continue;
        throw error;
      }
    }
  }

  async check(secret: string): Promise<ApiKeyCheck> {
    if (secret.length !== API_KEY_SECRET_LENGTH || !secret.startsWith(API_KEY_SECRET_PREFIX)) return { status: 'unknown' };
    const prefix = secret.slice(0, API_KEY_PREFIX_LENGTH);
    return this.db.run(async (m) => {
      const row = await m.findOneBy(ApiKeyEntity, { prefix });
      if (!row) return { status: 'unknown' };
      const stored = Buffer.from(row.secretSha256, 'hex');
      const presented = sha256(secret);
      if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return { status: 'unknown' };
      if (row.revokedAt !== null) return { status: 'revoked', key: toApiKeyRecord(row) };
      const now = this.now();
      await m.update(ApiKeyEntity, { id: row.id }, { lastUsedAt: now });
      return { status: 'valid', key: toApiKeyRecord({ ...row, lastUsedAt: now }) };
    });
  }

  revoke(idOrPrefix: string): Promise<ApiKeyRecord | null> {
    return this.db.run(async (m) => {
      const row = await m.findOne(ApiKeyEntity, { where: [{ id: idOrPrefix }, { prefix: idOrPrefix }] });
      if (!row) return null;
      if (row.revokedAt === null) {
        const now = this.now();
        const result = await m.createQueryBuilder().update(ApiKeyEntity).set({ revokedAt: now }).where('id = :id AND revoked_at IS NULL', { id: row.id }).execute();
        if (result.affected === 1) return toApiKeyRecord({ ...row, revokedAt: now });
        // Revoked concurrently: report what the other call wrote.
        return toApiKeyRecord(await m.findOneByOrFail(ApiKeyEntity, { id: row.id }));
      }
      return toApiKeyRecord(row);
    });
  }

  /** Oldest first. */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.run((m) => m.find(ApiKeyEntity, { order: { createdAt: 'ASC', id: 'ASC' } }));
    return rows.map(toApiKeyRecord);
  }
}
