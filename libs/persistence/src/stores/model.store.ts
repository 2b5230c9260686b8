import { randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import { ModelEntity } from '../entities/model.entity.js';
import { toModelRecord } from '../mappers.js';
import { MODEL_KINDS, type ModelKind, type ModelRecord, type NewModel } from '../records.js';
import type { ModelStore } from '../stores.js';
import { requireKind, requireName, requireNonNegativeInteger } from './registry-checks.js';

export class TypeOrmModelStore implements ModelStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Upsert by name: a known name keeps its id and createdAt; kind, uri, round and metadata take the new values. */
  async register(model: NewModel): Promise<ModelRecord> {
    requireName('model', model.name);
    requireKind('model', MODEL_KINDS, model.kind);
    const round = requireNonNegativeInteger('round', model.round ?? 0);
    const now = this.now();
    const row: ModelEntity = { id: randomUUID(), name: model.name, kind: model.kind, uri: model.uri, round, metadata: model.metadata ?? {}, createdAt: now, updatedAt: now };
    return this.db.run(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(ModelEntity)
        .values(row as object) // (a JSON column is more than values()' deep-partial type can express)
        .orUpdate(['kind', 'uri', 'round', 'metadata', 'updated_at'], ['name'])
        .updateEntity(false)
        .execute();
      return toModelRecord(await m.findOneByOrFail(ModelEntity, { name: model.name }));
    });
  }

  async get(name: string): Promise<ModelRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(ModelEntity, { name }));
    return row ? toModelRecord(row) : null;
  }

  /** By name. */
  async list(kind?: ModelKind | null): Promise<ModelRecord[]> {
    const rows = await this.db.run((m) => m.find(ModelEntity, { where: kind == null ? {} : { kind }, order: { name: 'ASC' } }));
    return rows.map(toModelRecord);
  }
}
