import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../cursor.js';
import { chunks, type Db } from '../db.js';
import { CuratedRecordEntity, CuratedTreeEntity } from '../entities/curated-tree.entity.js';
import { PersistenceError } from '../errors.js';
import type { CuratedKind, CuratedRecord, CuratedTree, CurationSummary, Page } from '../records.js';
import type { CurationStore } from '../stores.js';

const CURSOR = 'curated';
const KINDS: readonly CuratedKind[] = ['sft', 'pair'];

export class TypeOrmCurationStore implements CurationStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async saveTree(tree: CuratedTree): Promise<boolean> {
    if (tree.jobId === '' || tree.problemId === '') throw new PersistenceError('INVALID', 'a curated tree needs its job and problem id');
    if (!Number.isInteger(tree.round) || tree.round < 0) throw new PersistenceError('INVALID', `round must be a non-negative integer, got ${tree.round}`);
    const now = this.now();
    const row: CuratedTreeEntity = {
      jobId: tree.jobId,
      problemId: tree.problemId,
      round: tree.round,
      traceCount: tree.records.filter((r) => r.kind === 'sft').length,
      pairCount: tree.records.filter((r) => r.kind === 'pair').length,
      counts: tree.counts,
      createdAt: now,
    };
    const records: CuratedRecordEntity[] = tree.records.map((r) => ({ jobId: tree.jobId, kind: r.kind, recordId: r.id, round: tree.round, problemId: tree.problemId, record: r.record, createdAt: now }));
    const exists = (): Promise<boolean> => this.db.run((m) => m.existsBy(CuratedTreeEntity, { jobId: tree.jobId }));
    try {
      return await this.db.tx(async (m) => {
        // The tree's row is the idempotency key: a tree curated before adds nothing.
        if (await m.existsBy(CuratedTreeEntity, { jobId: tree.jobId })) return false;
        await m.insert(CuratedTreeEntity, row);
        for (const chunk of chunks(records, this.db.rowsPerInsert(CuratedRecordEntity))) {
          // simple-json columns take objects; TypeORM's insert types do not say so.
          await m.createQueryBuilder().insert().into(CuratedRecordEntity).values(chunk as QueryDeepPartialEntity<CuratedRecordEntity>[]).updateEntity(false).execute();
        }
        return true;
      });
    } catch (error) {
      // Two deliveries of one tree at the same moment: the second insert of the tree's row fails, and rolls back.
      if (await exists()) return false;
      throw error;
    }
  }

  async records(kind: CuratedKind, round: number, options: { first: number; after?: string | null }): Promise<Page<CuratedRecord>> {
    checkPageSize(options.first);
    if (!KINDS.includes(kind)) throw new PersistenceError('INVALID', `unknown record kind ${String(kind)}`);
    const after = options.after == null ? null : decodeCursor(CURSOR, options.after, ['number', 'string', 'string'] as const);
    return this.db.run(async (m) => {
      const filtered = () => m.createQueryBuilder(CuratedRecordEntity, 'r').where('r.kind = :kind AND r.round = :round', { kind, round });
      const total = await filtered().getCount();
      const q = filtered();
      if (after) {
        const [createdAt, jobId, recordId] = after;
        q.andWhere('(r.createdAt > :createdAt OR (r.createdAt = :createdAt AND (r.jobId > :jobId OR (r.jobId = :jobId AND r.recordId > :recordId))))', { createdAt, jobId, recordId });
      }
      const rows = await q.orderBy('r.createdAt', 'ASC').addOrderBy('r.jobId', 'ASC').addOrderBy('r.recordId', 'ASC').limit(options.first + 1).getMany();
      const items = rows.slice(0, options.first);
      const last = items.at(-1);
      return {
        items: items.map((r) => ({ jobId: r.jobId, kind: r.kind, id: r.recordId, round: r.round, problemId: r.problemId, record: r.record, createdAt: new Date(r.createdAt) })),
        total,
        nextCursor: rows.length > options.first && last ? encodeCursor(CURSOR, [last.createdAt, last.jobId, last.recordId]) : null,
      };
    });
  }

  summary(round: number): Promise<CurationSummary> {
    return this.db.run(async (m) => {
      const raw = await m
        .createQueryBuilder(CuratedTreeEntity, 't')
        .select('COUNT(*)', 'trees')
        .addSelect('COUNT(DISTINCT t.problem_id)', 'problems')
        .addSelect('COUNT(DISTINCT CASE WHEN t.trace_count > 0 THEN t.problem_id END)', 'covered')
        .addSelect('COALESCE(SUM(t.trace_count), 0)', 'traces')
        .addSelect('COALESCE(SUM(t.pair_count), 0)', 'pairs')
        .where('t.round = :round', { round })
        .getRawOne<Record<string, string | number>>();
      const n = (key: string): number => Number(raw?.[key] ?? 0);
      return { round, trees: n('trees'), problems: n('problems'), covered: n('covered'), traces: n('traces'), pairs: n('pairs') };
    });
  }
}
