import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { progressTotal } from '@rstar/mcts';
import { checkPageSize, decodeCursor, encodeCursor } from '../cursor.js';
import { chunks, type Db } from '../db.js';
import { SearchTreeEntity } from '../entities/search-tree.entity.js';
import { SolveJobEntity } from '../entities/solve-job.entity.js';
import { TreeNodeEntity } from '../entities/tree-node.entity.js';
import { PersistenceError } from '../errors.js';
import { toJobRecord, toNodeEntity } from '../mappers.js';
import { JOB_STATUSES, type JobOutcome, type JobProgress, type NewSolveJob, type Page, type SolveJobRecord } from '../records.js';
import type { SolveJobStore } from '../stores.js';
import { insertOutboxMessage } from './outbox.store.js';

const CURSOR = 'jobs';

export class TypeOrmSolveJobStore implements SolveJobStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async create(job: NewSolveJob): Promise<SolveJobRecord> {
    if (job.question.trim() === '') throw new PersistenceError('INVALID', 'a job needs a question');
    if (job.correlationId === '') throw new PersistenceError('INVALID', 'a job needs a correlation id');
    const now = this.now();
    const row: SolveJobEntity = {
      id: randomUUID(),
      question: job.question,
      referenceAnswer: job.referenceAnswer ?? null,
      problemId: job.problemId ?? null,
      config: job.config,
      status: 'queued',
      attempts: 0,
      workerId: null,
      answer: null,
      answerQ: null,
      rolloutsDone: 0,
      rolloutsTotal: progressTotal(job.config),
      bestAnswer: null,
      bestQ: null,
      error: null,
      apiKeyId: job.apiKeyId ?? null,
      correlationId: job.correlationId,
      policyModel: null,
      elapsedMs: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    };
    await this.db.run((m) => m.insert(SolveJobEntity, row));
    return toJobRecord(row);
  }

  async get(id: string): Promise<SolveJobRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(SolveJobEntity, { id }));
    return row ? toJobRecord(row) : null;
  }

  async claim(id: string, workerId: string): Promise<SolveJobRecord | null> {
    const now = this.now();
    return this.db.tx(async (m) => {
      // A new attempt starts the search over: progress of an earlier attempt is dropped.
      const result = await m
        .createQueryBuilder()
        .update(SolveJobEntity)
        .set({ status: 'running', workerId, attempts: () => 'attempts + 1', rolloutsDone: 0, bestAnswer: null, bestQ: null, startedAt: now, updatedAt: now })
        .where('id = :id AND status IN (:...claimable)', { id, claimable: ['queued', 'running'] })
        .execute();
      if (result.affected !== 1) return null;
      // In the same transaction: the row is locked (PostgreSQL) until commit, so this reads our own claim.
      const row = await m.findOneByOrFail(SolveJobEntity, { id });
      return toJobRecord(row);
    });
  }

  recordProgress(id: string, workerId: string, progress: JobProgress): Promise<boolean> {
    return this.db.run((m) =>
      this.transition(m, id, workerId, {
        rolloutsDone: progress.rolloutsDone,
        rolloutsTotal: progress.rolloutsTotal,
        bestAnswer: progress.bestAnswer,
        bestQ: progress.bestQ,
        updatedAt: this.now(),
      }),
    );
  }

  complete(id: string, workerId: string, outcome: JobOutcome): Promise<boolean> {
    const { report, policyModel, message } = outcome;
    const now = this.now();
    return this.db.tx(async (m) => {
      const won = await this.transition(m, id, workerId, {
        status: 'succeeded',
        answer: report.answer,
        answerQ: report.answerQ,
        bestAnswer: report.answer,
        bestQ: report.answerQ,
        rolloutsDone: report.rollouts,
        policyModel,
        elapsedMs: report.elapsedMs,
        error: null,
        updatedAt: now,
        finishedAt: now,
      });
      if (!won) return false;
      const tree: SearchTreeEntity = {
        jobId: id,
        evaluator: report.evaluator,
        answerNodeId: report.answerNodeId,
        bestTrajectory: report.bestTrajectory,
        nodeCount: report.nodes.length,
        createdAt: now,
      };
      await m.insert(SearchTreeEntity, tree);
      const nodes = report.nodes.map((n) => toNodeEntity(id, n));
      for (const chunk of chunks(nodes, this.db.rowsPerInsert(TreeNodeEntity))) {
        await m.createQueryBuilder().insert().into(TreeNodeEntity).values(chunk).updateEntity(false).execute();
      }
      if (message) await insertOutboxMessage(m, message, now);
      return true;
    });
  }

  fail(id: string, workerId: string, error: string): Promise<boolean> {
    const now = this.now();
    return this.db.run((m) => this.transition(m, id, workerId, { status: 'failed', error, updatedAt: now, finishedAt: now }));
  }

  release(id: string, workerId: string): Promise<boolean> {
    return this.db.run((m) => this.transition(m, id, workerId, { status: 'queued', workerId: null, startedAt: null, updatedAt: this.now() }));
  }

  abandon(id: string, reason: string, heldBy: string | null): Promise<boolean> {
    const now = this.now();
    return this.db.run(async (m) => {
      const q = m.createQueryBuilder().update(SolveJobEntity).set({ status: 'failed', error: reason, updatedAt: now, finishedAt: now });
      if (heldBy === null) q.where("id = :id AND status = 'queued'", { id });
      else q.where("id = :id AND status = 'running' AND worker_id = :heldBy", { id, heldBy });
      const result = await q.execute();
      return result.affected === 1;
    });
  }

  async list(options: { first: number; after?: string | null; status?: SolveJobRecord['status'] | null; apiKeyId?: string | null }): Promise<Page<SolveJobRecord>> {
    checkPageSize(options.first);
    if (options.status != null && !JOB_STATUSES.includes(options.status)) {
      throw new PersistenceError('INVALID', `unknown job status ${String(options.status)}`);
    }
    const after = options.after == null ? null : decodeCursor(CURSOR, options.after, ['number', 'string'] as const);
    return this.db.run(async (m) => {
      const filtered = () => {
        const q = m.createQueryBuilder(SolveJobEntity, 'j');
        if (options.status != null) q.andWhere('j.status = :status', { status: options.status });
        if (options.apiKeyId != null) q.andWhere('j.apiKeyId = :apiKeyId', { apiKeyId: options.apiKeyId });
        return q;
      };
      const total = await filtered().getCount();
      const q = filtered();
      if (after) {
        const [createdAt, id] = after;
        q.andWhere('(j.createdAt < :createdAt OR (j.createdAt = :createdAt AND j.id < :id))', { createdAt, id });
      }
      // Newest first; id breaks ties between jobs created in the same millisecond.
      const rows = await q.orderBy('j.createdAt', 'DESC').addOrderBy('j.id', 'DESC').limit(options.first + 1).getMany();
      const items = rows.slice(0, options.first);
      const last = items.at(-1);
      return {
        items: items.map(toJobRecord),
        total,
        nextCursor: rows.length > options.first && last ? encodeCursor(CURSOR, [last.createdAt, last.id]) : null,
      };
    });
  }

  /** The one conditional UPDATE behind every change of a running job: applies only while `workerId` holds it. */
  private async transition(m: EntityManager, id: string, workerId: string, set: Partial<SolveJobEntity>): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .update(SolveJobEntity)
      .set(set)
      .where("id = :id AND status = 'running' AND worker_id = :workerId", { id, workerId })
      .execute();
    return result.affected === 1;
  }
}
