import { randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import { TrainingSetEntity } from '../entities/training-set.entity.js';
import { PersistenceError } from '../errors.js';
import { toTrainingSetRecord } from '../mappers.js';
import { TRAINING_SET_KINDS, type NewTrainingSet, type TrainingSetKind, type TrainingSetRecord } from '../records.js';
import type { TrainingSetStore } from '../stores.js';
import { requireKind, requireName, requireNonNegativeInteger } from './registry-checks.js';

export class TypeOrmTrainingSetStore implements TrainingSetStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Upsert by name: a known name keeps its id and createdAt; everything else takes the new values. */
  async register(set: NewTrainingSet): Promise<TrainingSetRecord> {
    requireName('training set', set.name);
    requireKind('training set', TRAINING_SET_KINDS, set.kind);
    if (set.uri.trim() === '') throw new PersistenceError('INVALID', `training set ${set.name} needs a uri`);
    const round = requireNonNegativeInteger('round', set.round ?? 0);
    const recordCount = requireNonNegativeInteger('recordCount', set.recordCount);
    const now = this.now();
    const row: TrainingSetEntity = { id: randomUUID(), name: set.name, kind: set.kind, uri: set.uri, round, recordCount, metadata: set.metadata ?? {}, createdAt: now, updatedAt: now };
    return this.db.run(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(TrainingSetEntity)
        .values(row as object) // (a JSON column is more than values()' deep-partial type can express)
        .orUpdate(['kind', 'uri', 'round', 'record_count', 'metadata', 'updated_at'], ['name'])
        .updateEntity(false)
        .execute();
      return toTrainingSetRecord(await m.findOneByOrFail(TrainingSetEntity, { name: set.name }));
    });
  }

  async get(name: string): Promise<TrainingSetRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(TrainingSetEntity, { name }));
    return row ? toTrainingSetRecord(row) : null;
  }

  async list(kind?: TrainingSetKind | null): Promise<TrainingSetRecord[]> {
    const rows = await this.db.run((m) => m.find(TrainingSetEntity, { where: kind == null ? {} : { kind }, order: { round: 'ASC', name: 'ASC' } }));
    return rows.map(toTrainingSetRecord);
  }
}
