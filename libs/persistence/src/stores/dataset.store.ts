import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { checkPageSize, decodeCursor, encodeCursor } from '../cursor.js';
import { chunks, type Db } from '../db.js';
import { DatasetEntity } from '../entities/dataset.entity.js';
import { ProblemEntity } from '../entities/problem.entity.js';
import { PersistenceError } from '../errors.js';
import { toDatasetRecord, toProblemRecord } from '../mappers.js';
import type { DatasetRecord, ImportResult, NewProblem, Page, ProblemRecord } from '../records.js';
import type { DatasetStore } from '../stores.js';

const DATASETS_CURSOR = 'datasets';
const PROBLEMS_CURSOR = 'problems';

export class TypeOrmDatasetStore implements DatasetStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async importProblems(name: string, source: string, problems: NewProblem[]): Promise<ImportResult> {
    if (name.trim() === '') throw new PersistenceError('INVALID', 'a dataset needs a name');
    for (const [i, p] of problems.entries()) {
      if (p.externalId === '') throw new PersistenceError('INVALID', `problem ${i + 1} has an empty externalId`);
    }
    const now = this.now();
    return this.db.tx(async (m) => {
      // Create if missing; a concurrent import of the same new name makes this a no-op, not an error.
      await m
        .createQueryBuilder()
        .insert()
        .into(DatasetEntity)
        .values({ id: randomUUID(), name, source, problemCount: 0, createdAt: now })
        .orIgnore()
        .updateEntity(false)
        .execute();
      const dataset = await m.findOneByOrFail(DatasetEntity, { name });
      // A no-op update takes the row lock (PostgreSQL), so concurrent imports into one dataset queue here and
      // number their problems one after the other. (SQLite transactions are serialized anyway.)
      await m.createQueryBuilder().update(DatasetEntity).set({ problemCount: () => 'problem_count' }).where('id = :id', { id: dataset.id }).execute();

      // Which of the incoming externalIds the dataset has (asked in chunks: the import may be large).
      const seen = new Set<string>();
      const incoming = [...new Set(problems.map((p) => p.externalId))];
      for (const ids of chunks(incoming, 500)) {
        const found = await m.find(ProblemEntity, { select: { externalId: true }, where: { datasetId: dataset.id, externalId: In(ids) } });
        for (const row of found) seen.add(row.externalId);
      }
      const max = await m
        .createQueryBuilder(ProblemEntity, 'p')
        .select('MAX(p.position)', 'max')
        .where('p.datasetId = :id', { id: dataset.id })
        .getRawOne<{ max: number | string | null }>();
      let position = Number(max?.max ?? 0);
      const rows: ProblemEntity[] = [];
      for (const p of problems) {
        if (seen.has(p.externalId)) continue;
        seen.add(p.externalId);
        rows.push({ id: randomUUID(), datasetId: dataset.id, position: ++position, externalId: p.externalId, question: p.question, answer: p.answer, createdAt: now });
      }
      for (const chunk of chunks(rows, this.db.rowsPerInsert(ProblemEntity))) {
        await m.createQueryBuilder().insert().into(ProblemEntity).values(chunk).updateEntity(false).execute();
      }
      if (rows.length > 0) {
        await m
          .createQueryBuilder()
          .update(DatasetEntity)
          .set({ problemCount: () => `problem_count + ${rows.length}` })
          .where('id = :id', { id: dataset.id })
          .execute();
      }
      const updated = await m.findOneByOrFail(DatasetEntity, { id: dataset.id });
      return { dataset: toDatasetRecord(updated), inserted: rows.length, skipped: problems.length - rows.length };
    });
  }

  async get(id: string): Promise<DatasetRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(DatasetEntity, { id }));
    return row ? toDatasetRecord(row) : null;
  }

  async getByName(name: string): Promise<DatasetRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(DatasetEntity, { name }));
    return row ? toDatasetRecord(row) : null;
  }

  /** By name. */
  async list(options: { first: number; after?: string | null }): Promise<Page<DatasetRecord>> {
    checkPageSize(options.first);
    const after = options.after == null ? null : decodeCursor(DATASETS_CURSOR, options.after, ['string'] as const);
    return this.db.run(async (m) => {
      const total = await m.count(DatasetEntity);
      const q = m.createQueryBuilder(DatasetEntity, 'd');
      if (after) q.where('d.name > :name', { name: after[0] });
      const rows = await q.orderBy('d.name', 'ASC').limit(options.first + 1).getMany();
      const items = rows.slice(0, options.first);
      const last = items.at(-1);
      return {
        items: items.map(toDatasetRecord),
        total,
        nextCursor: rows.length > options.first && last ? encodeCursor(DATASETS_CURSOR, [last.name]) : null,
      };
    });
  }

  async problems(datasetId: string, options: { first: number; after?: string | null }): Promise<Page<ProblemRecord>> {
    checkPageSize(options.first);
    const after = options.after == null ? null : decodeCursor(PROBLEMS_CURSOR, options.after, ['number'] as const);
    return this.db.run(async (m) => {
      const total = await m.countBy(ProblemEntity, { datasetId });
      const q = m.createQueryBuilder(ProblemEntity, 'p').where('p.datasetId = :datasetId', { datasetId });
      if (after) q.andWhere('p.position > :position', { position: after[0] });
      const rows = await q.orderBy('p.position', 'ASC').limit(options.first + 1).getMany();
      const items = rows.slice(0, options.first);
      const last = items.at(-1);
      return {
        items: items.map(toProblemRecord),
        total,
        nextCursor: rows.length > options.first && last ? encodeCursor(PROBLEMS_CURSOR, [last.position]) : null,
      };
    });
  }

  async problem(id: string): Promise<ProblemRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(ProblemEntity, { id }));
    return row ? toProblemRecord(row) : null;
  }
}
