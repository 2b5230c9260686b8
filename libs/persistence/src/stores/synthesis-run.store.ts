import { randomUUID } from 'node:crypto';
import { chunks, type Db } from '../db.js';
import { CuratedTreeEntity } from '../entities/curated-tree.entity.js';
import { SolveJobEntity } from '../entities/solve-job.entity.js';
import { SynthesisRunEntity, SynthesisRunJobEntity } from '../entities/synthesis-run.entity.js';
import { PersistenceError } from '../errors.js';
import { JOB_STATUSES, type JobStatus, type NewSynthesisRun, type SynthesisRunProgress, type SynthesisRunRecord } from '../records.js';
import type { SynthesisRunStore } from '../stores.js';

function toRecord(e: SynthesisRunEntity): SynthesisRunRecord {
  return { ...e, createdAt: new Date(e.createdAt) };
}

export class TypeOrmSynthesisRunStore implements SynthesisRunStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async create(run: NewSynthesisRun): Promise<SynthesisRunRecord> {
    if (run.name.trim() === '') throw new PersistenceError('INVALID', 'a synthesis run needs a name');
    if (!Number.isInteger(run.round) || run.round < 0) throw new PersistenceError('INVALID', `round must be a non-negative integer, got ${run.round}`);
    const row: SynthesisRunEntity = {
      id: randomUUID(),
      name: run.name.trim(),
      round: run.round,
      datasetId: run.datasetId,
      config: run.config,
      problemCount: run.problemCount,
      apiKeyId: run.apiKeyId ?? null,
      correlationId: run.correlationId,
      createdAt: this.now(),
    };
    await this.db.run((m) => m.insert(SynthesisRunEntity, row));
    return toRecord(row);
  }

  async addJobs(runId: string, jobs: readonly { jobId: string; problemId: string }[]): Promise<void> {
    const rows: SynthesisRunJobEntity[] = jobs.map((j) => ({ runId, jobId: j.jobId, problemId: j.problemId }));
    await this.db.tx(async (m) => {
      for (const chunk of chunks(rows, this.db.rowsPerInsert(SynthesisRunJobEntity))) {
        await m.createQueryBuilder().insert().into(SynthesisRunJobEntity).values(chunk).updateEntity(false).execute();
      }
    });
  }

  async get(id: string): Promise<SynthesisRunRecord | null> {
    const row = await this.db.run((m) => m.findOneBy(SynthesisRunEntity, { id }));
    return row ? toRecord(row) : null;
  }

  progress(id: string): Promise<SynthesisRunProgress> {
    return this.db.run(async (m) => {
      const byStatus = await m
        .createQueryBuilder(SynthesisRunJobEntity, 'r')
        .innerJoin(SolveJobEntity, 'j', 'j.id = r.job_id')
        .select('j.status', 'status')
        .addSelect('COUNT(*)', 'n')
        .where('r.run_id = :id', { id })
        .groupBy('j.status')
        .getRawMany<{ status: JobStatus; n: string | number }>();
      const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const row of byStatus) jobs[row.status] = Number(row.n);
      const curated = await m
        .createQueryBuilder(SynthesisRunJobEntity, 'r')
        .innerJoin(CuratedTreeEntity, 't', 't.job_id = r.job_id')
        .select('COUNT(*)', 'trees')
        .addSelect('COUNT(DISTINCT CASE WHEN t.trace_count > 0 THEN t.problem_id END)', 'covered')
        .addSelect('COALESCE(SUM(t.trace_count), 0)', 'traces')
        .addSelect('COALESCE(SUM(t.pair_count), 0)', 'pairs')
        .where('r.run_id = :id', { id })
        .getRawOne<Record<string, string | number>>();
      const n = (key: string): number => Number(curated?.[key] ?? 0);
      return { jobs, curatedTrees: n('trees'), covered: n('covered'), traces: n('traces'), pairs: n('pairs') };
    });
  }

  async roundOfJob(jobId: string): Promise<number | null> {
    const row = await this.db.run((m) =>
      m
        .createQueryBuilder(SynthesisRunJobEntity, 'r')
        .innerJoin(SynthesisRunEntity, 's', 's.id = r.run_id')
        .select('s.round', 'round')
        .where('r.job_id = :jobId', { jobId })
        .getRawOne<{ round: number | string }>(),
    );
    return row === undefined ? null : Number(row.round);
  }
}
