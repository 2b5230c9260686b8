import { createHash } from 'node:crypto';
import { emptyStats, parseSearchConfig, type NodeReport, type SearchReport } from '@rstar/mcts';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/data-source.js';
import { PersistenceError } from '../src/errors.js';
import { openStores, type Stores } from '../src/open-stores.js';
import type { JobOutcome, NewProblem, SolveJobRecord } from '../src/records.js';
import { schemaDiff } from '../src/schema-check.js';

/**
 * The behaviour every driver must show, written once: `src/stores.spec.ts` runs it on SQLite in memory,
 * `test/stores.integration-spec.ts` on the PostgreSQL of `tools/infra up`.
 */
export interface SuiteDatabase {
  /** An empty database (no tables yet), initialized. */
  dataSource: DataSource;
  /** Drops what the suite made (the scratch schema), after the DataSource is destroyed. */
  dispose?: () => Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);

export function storeSuite(driver: string, open: () => Promise<SuiteDatabase>): void {
  describe(`persistence on ${driver}`, () => {
    let db: SuiteDatabase;
    let stores: Stores;
    let firstMigration: string[];
    let clock = T0;
    const tick = (ms = 1) => (clock += ms);

    beforeAll(async () => {
      db = await open();
      firstMigration = await migrate(db.dataSource);
      stores = openStores(db.dataSource, { now: () => clock });
    });

    afterAll(async () => {
      if (db?.dataSource.isInitialized) await db.dataSource.destroy();
      await db?.dispose?.();
    });

    beforeEach(async () => {
      clock = T0;
      for (const table of ['tree_nodes', 'search_trees', 'solve_jobs', 'problems', 'datasets', 'api_keys', 'models', 'training_sets', 'outbox_messages', 'curated_trees', 'curated_records', 'synthesis_run_jobs', 'synthesis_runs']) {
        await db.dataSource.query(`DELETE FROM ${table}`);
      }
    });

    const newJob = (overrides: Partial<Parameters<Stores['jobs']['create']>[0]> = {}) =>
      stores.jobs.create({ question: 'What is 6 * 7?', config: parseSearchConfig({ rollouts: 16, seed: 3 }), correlationId: 'corr-1', ...overrides });

    describe('migrations', () => {
      it('ran on the empty database, and running them again does nothing', async () => {
        expect(firstMigration).toHaveLength(db.dataSource.migrations.length);
        expect(firstMigration.length).toBeGreaterThan(0);
        expect(await migrate(db.dataSource)).toEqual([]);
      });

      it('leave no difference between the schema and the entities (else: the migrations are stale)', async () => {
        const diff = await schemaDiff(db.dataSource);
        expect(diff.up.map((q) => q.query)).toEqual([]);
      });
    });

    describe('jobs', () => {
      it('creates a queued job and reads it back', async () => {
        const job = await newJob({ referenceAnswer: '42' });
        expect(job).toMatchObject({ status: 'queued', attempts: 0, workerId: null, rolloutsDone: 0, rolloutsTotal: 16, referenceAnswer: '42', problemId: null, apiKeyId: null });
        expect(job.createdAt).toEqual(new Date(T0));
        expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(await stores.jobs.get(job.id)).toEqual(job);
        expect((await stores.jobs.get(job.id))?.config).toEqual(parseSearchConfig({ rollouts: 16, seed: 3 }));
        expect(await stores.jobs.get('no-such-job')).toBeNull();
      });

      it('plans the progress total of the method (depths for beam, one past maxDepth; 1 for greedy)', async () => {
        expect((await newJob({ config: parseSearchConfig({ method: 'beam', maxDepth: 6 }) })).rolloutsTotal).toBe(7);
        expect((await newJob({ config: parseSearchConfig({ method: 'greedy', rollouts: 16 }) })).rolloutsTotal).toBe(1);
      });

      it('refuses a job for a problem that does not exist, and one without a question', async () => {
        await expect(newJob({ problemId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(newJob({ question: '  ' })).rejects.toBeInstanceOf(PersistenceError);
      });

      it('claim: queued → running by the worker, attempts + 1; unknown → null', async () => {
        const job = await newJob();
        tick(5);
        const claimed = await stores.jobs.claim(job.id, 'w1');
        expect(claimed).toMatchObject({ status: 'running', workerId: 'w1', attempts: 1, startedAt: new Date(T0 + 5) });
        expect(await stores.jobs.claim('no-such-job', 'w1')).toBeNull();
      });

      it('claim takes a running job over; the old worker can no longer change it', async () => {
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        expect(await stores.jobs.recordProgress(job.id, 'w1', { rolloutsDone: 3, rolloutsTotal: 16, bestAnswer: '41', bestQ: 0.2 })).toBe(true);
        const taken = await stores.jobs.claim(job.id, 'w2');
        // A new attempt starts from scratch.
        expect(taken).toMatchObject({ workerId: 'w2', attempts: 2, rolloutsDone: 0, bestAnswer: null, bestQ: null });
        expect(await stores.jobs.recordProgress(job.id, 'w1', { rolloutsDone: 4, rolloutsTotal: 16, bestAnswer: null, bestQ: null })).toBe(false);
        expect(await stores.jobs.fail(job.id, 'w1', 'boom')).toBe(false);
        expect(await stores.jobs.release(job.id, 'w1')).toBe(false);
        expect(await stores.jobs.complete(job.id, 'w1', outcome(3))).toBe(false);
        expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'running', workerId: 'w2', rolloutsDone: 0 });
      });

      it('two workers both hold the job: only the one holding it now completes it', async () => {
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        await stores.jobs.claim(job.id, 'w2');
        const [first, second] = await Promise.all([stores.jobs.complete(job.id, 'w1', outcome(5, 'a')), stores.jobs.complete(job.id, 'w2', outcome(7, 'b'))]);
        expect([first, second]).toEqual([false, true]);
        const tree = await stores.trees.get(job.id);
        expect(tree?.nodes).toHaveLength(7);
        expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'succeeded', answer: 'b', workerId: 'w2' });
      });

      it('racing claims leave one holder, and a duplicated completion commits once', async () => {
        const job = await newJob();
        const claims = await Promise.all([stores.jobs.claim(job.id, 'w1'), stores.jobs.claim(job.id, 'w2')]);
        expect(claims.every((c) => c !== null)).toBe(true);
        const holder = (await stores.jobs.get(job.id))!;
        expect(holder.attempts).toBe(2);
        const results = await Promise.all([
          stores.jobs.complete(job.id, 'w1', outcome(4)),
          stores.jobs.complete(job.id, 'w2', outcome(4)),
          stores.jobs.complete(job.id, holder.workerId!, outcome(4)),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await stores.trees.get(job.id))?.nodes).toHaveLength(4);
      });

      it('claim of a finished job returns null', async () => {
        const done = await newJob();
        await stores.jobs.claim(done.id, 'w1');
        expect(await stores.jobs.complete(done.id, 'w1', outcome(2))).toBe(true);
        expect(await stores.jobs.claim(done.id, 'w2')).toBeNull();
        const failed = await newJob();
        await stores.jobs.claim(failed.id, 'w1');
        expect(await stores.jobs.fail(failed.id, 'w1', 'sandbox unavailable')).toBe(true);
        expect(await stores.jobs.claim(failed.id, 'w1')).toBeNull();
        expect(await stores.jobs.get(done.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
      });

      it('recordProgress only while running by the worker', async () => {
        const job = await newJob();
        const progress = { rolloutsDone: 2, rolloutsTotal: 16, bestAnswer: '42', bestQ: 0.75 };
        expect(await stores.jobs.recordProgress(job.id, 'w1', progress)).toBe(false);
        await stores.jobs.claim(job.id, 'w1');
        expect(await stores.jobs.recordProgress(job.id, 'w1', progress)).toBe(true);
        expect(await stores.jobs.get(job.id)).toMatchObject(progress);
        expect(await stores.jobs.recordProgress(job.id, 'w9', { ...progress, rolloutsDone: 3 })).toBe(false);
      });

      it('complete writes the answer and the whole tree (inserted in chunks)', async () => {
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        tick(1000);
        const result = outcome(1234, '42');
        expect(await stores.jobs.complete(job.id, 'w1', result)).toBe(true);
        expect(await stores.jobs.get(job.id)).toMatchObject({
          status: 'succeeded',
          answer: '42',
          answerQ: result.report.answerQ,
          bestAnswer: '42',
          rolloutsDone: result.report.rollouts,
          policyModel: 'qwen2.5-math-0.5b',
          elapsedMs: result.report.elapsedMs,
          error: null,
          finishedAt: new Date(T0 + 1000),
        });
        const tree = await stores.trees.get(job.id);
        expect(tree).toEqual({
          jobId: job.id,
          evaluator: result.report.evaluator,
          answerNodeId: result.report.answerNodeId,
          bestTrajectory: result.report.bestTrajectory,
          nodes: result.report.nodes,
        });
        expect(await stores.trees.get('no-such-job')).toBeNull();
        expect(await stores.trees.get((await newJob()).id)).toBeNull();
      });

      it('fail records the error; a failed job cannot be completed', async () => {
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        expect(await stores.jobs.fail(job.id, 'w1', 'policy server unreachable')).toBe(true);
        expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'policy server unreachable', finishedAt: new Date(T0) });
        expect(await stores.jobs.complete(job.id, 'w1', outcome(2))).toBe(false);
        expect(await stores.jobs.fail(job.id, 'w1', 'again')).toBe(false);
        expect(await stores.trees.get(job.id)).toBeNull();
      });

      it('release returns the job to the queue; the next claim counts another attempt', async () => {
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        expect(await stores.jobs.release(job.id, 'w2')).toBe(false);
        expect(await stores.jobs.release(job.id, 'w1')).toBe(true);
        expect(await stores.jobs.get(job.id)).toMatchObject({ status: 'queued', workerId: null, startedAt: null, attempts: 1 });
        expect(await stores.jobs.release(job.id, 'w1')).toBe(false);
        expect(await stores.jobs.claim(job.id, 'w2')).toMatchObject({ status: 'running', workerId: 'w2', attempts: 2 });
      });

      it('abandon fails a job never queued (held by nobody) or one held by a dead worker, and nothing else', async () => {
        const queued = await newJob();
        expect(await stores.jobs.abandon(queued.id, 'the job could not be queued', 'w1')).toBe(false);
        tick(5);
        expect(await stores.jobs.abandon(queued.id, 'the job could not be queued', null)).toBe(true);
        expect(await stores.jobs.get(queued.id)).toMatchObject({ status: 'failed', error: 'the job could not be queued', workerId: null, finishedAt: new Date(T0 + 5) });
        expect(await stores.jobs.abandon(queued.id, 'again', null)).toBe(false);
        expect(await stores.jobs.claim(queued.id, 'w1')).toBeNull();

        const running = await newJob();
        await stores.jobs.claim(running.id, 'w1');
        expect(await stores.jobs.abandon(running.id, 'its worker died', null)).toBe(false);
        expect(await stores.jobs.abandon(running.id, 'its worker died', 'w2')).toBe(false);
        expect(await stores.jobs.abandon(running.id, 'its worker died', 'w1')).toBe(true);
        expect(await stores.jobs.get(running.id)).toMatchObject({ status: 'failed', error: 'its worker died' });
        expect(await stores.jobs.complete(running.id, 'w1', outcome(2))).toBe(false);
      });

      it('complete adds the outcome\'s message to the outbox in its transaction; a lost completion adds none', async () => {
        const message = { topic: 'trajectories.v1', key: 'gsm8k-1', payload: '{"jobId":"x"}', headers: { 'x-correlation-id': 'corr-1' } };
        const job = await newJob();
        await stores.jobs.claim(job.id, 'w1');
        expect(await stores.jobs.complete(job.id, 'w2', { ...outcome(2), message })).toBe(false);
        expect(await stores.outbox.countPending()).toBe(0);
        tick(10);
        expect(await stores.jobs.complete(job.id, 'w1', { ...outcome(2), message })).toBe(true);
        const [pending, ...rest] = await stores.outbox.pending(10);
        expect(rest).toEqual([]);
        expect(pending).toMatchObject({ ...message, attempts: 0, lastError: null, createdAt: new Date(T0 + 10), publishedAt: null });
      });

      it('the outbox hands out pending messages oldest first, counts failed publishes and stamps each published once', async () => {
        const first = await stores.outbox.add({ topic: 't', key: 'a', payload: '1', headers: {} });
        tick();
        const second = await stores.outbox.add({ topic: 't', key: 'b', payload: '2', headers: {} });
        expect((await stores.outbox.pending(10)).map((m) => m.key)).toEqual(['a', 'b']);
        expect((await stores.outbox.pending(1)).map((m) => m.key)).toEqual(['a']);
        await stores.outbox.markFailed(first.id, 'broker down');
        await stores.outbox.markFailed(first.id, 'broker still down');
        expect((await stores.outbox.pending(1))[0]).toMatchObject({ id: first.id, attempts: 2, lastError: 'broker still down' });
        tick();
        expect(await stores.outbox.markPublished(first.id)).toBe(true);
        expect(await stores.outbox.markPublished(first.id)).toBe(false);
        expect((await stores.outbox.pending(10)).map((m) => m.id)).toEqual([second.id]);
        expect(await stores.outbox.countPending()).toBe(1);
        await expect(stores.outbox.pending(0)).rejects.toThrow(PersistenceError);
        await expect(stores.outbox.add({ topic: '', key: 'c', payload: '3', headers: {} })).rejects.toThrow(PersistenceError);
      });

      it('the outbox leases pending messages to one relay at a time until the lease runs out or a publish fails', async () => {
        const a = await stores.outbox.add({ topic: 't', key: 'a', payload: '1', headers: {} });
        tick();
        await stores.outbox.add({ topic: 't', key: 'b', payload: '2', headers: {} });
        tick();
        await stores.outbox.add({ topic: 't', key: 'c', payload: '3', headers: {} });
        expect((await stores.outbox.lease(2, 'relay-1', 1000)).map((m) => m.key)).toEqual(['a', 'b']);
        expect((await stores.outbox.lease(5, 'relay-2', 1000)).map((m) => m.key)).toEqual(['c']);
        expect(await stores.outbox.lease(5, 'relay-3', 1000)).toEqual([]);
        expect((await stores.outbox.lease(5, 'relay-2', 1000)).map((m) => m.key)).toEqual(['c']);
        await stores.outbox.markFailed(a.id, 'broker down');
        expect((await stores.outbox.lease(5, 'relay-3', 1000)).map((m) => m.key)).toEqual(['a']);
        tick(1001);
        expect((await stores.outbox.lease(5, 'relay-4', 1000)).map((m) => m.key)).toEqual(['a', 'b', 'c']);
        expect(await stores.outbox.countPending()).toBe(3);
        await expect(stores.outbox.lease(1, '', 1000)).rejects.toThrow(PersistenceError);
      });

      it('lists newest first across pages, with filters and totals', async () => {
        const key = (await stores.apiKeys.issue({ name: 'ci', role: 'client', rateLimitPerMinute: 60 })).key;
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push((await newJob({ question: `q${i}`, apiKeyId: i % 2 === 0 ? key.id : null })).id);
          // Two jobs per millisecond: the id breaks the tie.
          if (i % 2 === 1) tick();
        }
        await stores.jobs.claim(ids[0]!, 'w1');
        const seen: SolveJobRecord[] = [];
        let after: string | null = null;
        let pages = 0;
        do {
          const page = await stores.jobs.list({ first: 2, after });
          expect(page.total).toBe(5);
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items);
          after = page.nextCursor;
          pages++;
        } while (after !== null);
        expect(pages).toBe(3);
        expect(new Set(seen.map((j) => j.id)).size).toBe(5);
        const times = seen.map((j) => j.createdAt.getTime());
        expect(times).toEqual([...times].sort((a, b) => b - a));
        // q0 and q1 share a millisecond: either may come last.
        expect(['q0', 'q1']).toContain(seen.at(-1)!.question);

        const all = await stores.jobs.list({ first: 10 });
        expect(all.nextCursor).toBeNull();
        expect(all.items.map((j) => j.id)).toEqual(seen.map((j) => j.id));

        const queued = await stores.jobs.list({ first: 10, status: 'queued' });
        expect(queued.total).toBe(4);
        expect(queued.items.every((j) => j.status === 'queued')).toBe(true);
        const byKey = await stores.jobs.list({ first: 2, apiKeyId: key.id });
        expect(byKey.total).toBe(3);
        const rest = await stores.jobs.list({ first: 2, apiKeyId: key.id, after: byKey.nextCursor });
        expect([...byKey.items, ...rest.items].map((j) => j.question)).toEqual(['q4', 'q2', 'q0']);
        expect(rest.nextCursor).toBeNull();
      });

      it('refuses bad cursors and page sizes', async () => {
        await expect(stores.jobs.list({ first: 2, after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'INVALID' });
        const datasetCursor = (await stores.datasets.list({ first: 1 })).nextCursor;
        expect(datasetCursor).toBeNull();
        await stores.datasets.importProblems('a', 'a.jsonl', []);
        await stores.datasets.importProblems('b', 'b.jsonl', []);
        const foreign = (await stores.datasets.list({ first: 1 })).nextCursor!;
        await expect(stores.jobs.list({ first: 2, after: foreign })).rejects.toMatchObject({ code: 'INVALID' });
        await expect(stores.jobs.list({ first: 0 })).rejects.toMatchObject({ code: 'INVALID' });
        await expect(stores.jobs.list({ first: 100_000 })).rejects.toMatchObject({ code: 'INVALID' });
      });
    });

    describe('curation', () => {
      const tree = (jobId: string, problemId: string, traces: number, pairs: number, round = 1) => ({
        jobId,
        problemId,
        round,
        counts: { correctTraces: traces, pairsBelowMargin: 3 },
        records: [
          ...Array.from({ length: traces }, (_, i) => ({ kind: 'sft' as const, id: `${problemId}-r${round}-n${i}`, record: { schema: 'rstar.sft.v1', id: `${problemId}-r${round}-n${i}`, steps: [{ text: 'x = 1' }] } })),
          ...Array.from({ length: pairs }, (_, i) => ({ kind: 'pair' as const, id: `${problemId}-r${round}-p${i}`, record: { schema: 'rstar.ppm-pair.v1', id: `${problemId}-r${round}-p${i}` } })),
        ],
      });

      it('stores a tree once: a second delivery of the same job adds nothing', async () => {
        expect(await stores.curation.saveTree(tree('job-1', 'gsm8k-1', 2, 3))).toBe(true);
        expect(await stores.curation.saveTree(tree('job-1', 'gsm8k-1', 2, 3))).toBe(false);
        const sft = await stores.curation.records('sft', 1, { first: 10 });
        expect(sft.total).toBe(2);
        expect(sft.items[0]).toMatchObject({ jobId: 'job-1', kind: 'sft', id: 'gsm8k-1-r1-n0', problemId: 'gsm8k-1', round: 1, record: { schema: 'rstar.sft.v1', steps: [{ text: 'x = 1' }] } });
        expect((await stores.curation.records('pair', 1, { first: 10 })).total).toBe(3);
      });

      it('two deliveries of one tree at once store it once', async () => {
        const results = await Promise.all([stores.curation.saveTree(tree('job-2', 'gsm8k-2', 1, 1)), stores.curation.saveTree(tree('job-2', 'gsm8k-2', 1, 1))]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await stores.curation.records('sft', 1, { first: 10 })).total).toBe(1);
      });

      it('pages records in curation order and sums a round: trees, problems, covered problems, traces, pairs', async () => {
        await stores.curation.saveTree(tree('job-a', 'gsm8k-1', 2, 1));
        tick();
        await stores.curation.saveTree(tree('job-b', 'gsm8k-1', 0, 2));
        tick();
        await stores.curation.saveTree(tree('job-c', 'gsm8k-2', 0, 0));
        await stores.curation.saveTree(tree('job-d', 'gsm8k-9', 1, 0, 2));
        const first = await stores.curation.records('pair', 1, { first: 2 });
        expect(first.items.map((r) => `${r.jobId}/${r.id}`)).toEqual(['job-a/gsm8k-1-r1-p0', 'job-b/gsm8k-1-r1-p0']);
        const rest = await stores.curation.records('pair', 1, { first: 2, after: first.nextCursor });
        expect(rest.items.map((r) => `${r.jobId}/${r.id}`)).toEqual(['job-b/gsm8k-1-r1-p1']);
        expect(rest.nextCursor).toBeNull();
        expect(await stores.curation.summary(1)).toEqual({ round: 1, trees: 3, problems: 2, covered: 1, traces: 2, pairs: 3 });
        expect(await stores.curation.summary(7)).toEqual({ round: 7, trees: 0, problems: 0, covered: 0, traces: 0, pairs: 0 });
        await expect(stores.curation.saveTree({ ...tree('job-e', 'p', 0, 0), round: -1 })).rejects.toThrow(PersistenceError);
      });
    });

    describe('synthesis runs', () => {
      it('keeps a run with its jobs and says where it stands: jobs by status, and what curation made of them', async () => {
        const config = parseSearchConfig({ method: 'mcts', rollouts: 8 });
        const run = await stores.synthesisRuns.create({ name: 'r2-gsm8k', round: 2, datasetId: 'ds-1', config, problemCount: 3, correlationId: 'corr-s' });
        expect(await stores.synthesisRuns.get(run.id)).toEqual({ ...run, apiKeyId: null, createdAt: new Date(T0) });
        const jobs = [await newJob(), await newJob(), await newJob()];
        await stores.synthesisRuns.addJobs(run.id, jobs.map((j, i) => ({ jobId: j.id, problemId: `p${i}` })));
        await stores.jobs.claim(jobs[0]!.id, 'w1');
        await stores.jobs.complete(jobs[0]!.id, 'w1', outcome(2));
        await stores.jobs.claim(jobs[1]!.id, 'w1');
        const other = await newJob(); // a job of no run
        await stores.curation.saveTree({ jobId: jobs[0]!.id, problemId: 'p0', round: 2, counts: {}, records: [{ kind: 'sft', id: 't', record: {} }, { kind: 'pair', id: 'a', record: {} }, { kind: 'pair', id: 'b', record: {} }] });
        await stores.curation.saveTree({ jobId: other.id, problemId: 'p9', round: 2, counts: {}, records: [{ kind: 'sft', id: 't', record: {} }] });
        expect(await stores.synthesisRuns.progress(run.id)).toEqual({ jobs: { queued: 1, running: 1, succeeded: 1, failed: 0 }, curatedTrees: 1, covered: 1, traces: 1, pairs: 2 });
        expect(await stores.synthesisRuns.roundOfJob(jobs[2]!.id)).toBe(2);
        expect(await stores.synthesisRuns.roundOfJob(other.id)).toBeNull();
        expect(await stores.synthesisRuns.get('no-such-run')).toBeNull();
        await expect(stores.synthesisRuns.addJobs(run.id, [{ jobId: jobs[0]!.id, problemId: 'p0' }])).rejects.toThrow();
        await expect(stores.synthesisRuns.create({ name: ' ', round: 1, datasetId: 'ds-1', config, problemCount: 0, correlationId: 'c' })).rejects.toThrow(PersistenceError);
      });
    });

    describe('trees', () => {
      it('lists the finished trees of a problem, newest first', async () => {
        const { dataset } = await stores.datasets.importProblems('gsm8k', 'gsm8k.jsonl', problems(2));
        const [p1, p2] = (await stores.datasets.problems(dataset.id, { first: 10 })).items;
        const finish = async (problemId: string, nodes: number) => {
          const job = await newJob({ problemId });
          await stores.jobs.claim(job.id, 'w');
          tick(10);
          expect(await stores.jobs.complete(job.id, 'w', outcome(nodes))).toBe(true);
          return job.id;
        };
        const older = await finish(p1!.id, 3);
        const newer = await finish(p1!.id, 4);
        await finish(p2!.id, 5);
        await newJob({ problemId: p1!.id }); // unfinished: no tree
        const trees = await stores.trees.listByProblem(p1!.id, 10);
        expect(trees.map((t) => t.jobId)).toEqual([newer, older]);
        expect(trees.map((t) => t.nodes.length)).toEqual([4, 3]);
        expect(trees[0]!.nodes.map((n) => n.id)).toEqual([0, 1, 2, 3]);
        expect((await stores.trees.listByProblem(p1!.id, 1)).map((t) => t.jobId)).toEqual([newer]);
        expect(await stores.trees.listByProblem('no-such-problem', 5)).toEqual([]);
      });
    });

    describe('datasets', () => {
      it('imports problems, skipping externalIds the dataset has, in one call per import', async () => {
        const first = await stores.datasets.importProblems('gsm8k', 'gsm8k/test.jsonl', problems(3));
        expect(first).toMatchObject({ inserted: 3, skipped: 0, dataset: { name: 'gsm8k', source: 'gsm8k/test.jsonl', problemCount: 3 } });
        tick();
        const again = [...problems(5), { externalId: 'p5', question: 'duplicate within the file', answer: null }];
        const second = await stores.datasets.importProblems('gsm8k', 'other.jsonl', again);
        expect(second).toMatchObject({ inserted: 2, skipped: 4 });
        expect(second.dataset).toEqual({ ...first.dataset, problemCount: 5 });
        expect(await stores.datasets.get(first.dataset.id)).toEqual(second.dataset);
        expect(await stores.datasets.getByName('gsm8k')).toEqual(second.dataset);
        expect(await stores.datasets.getByName('math')).toBeNull();
        expect(await stores.datasets.get('no-such-dataset')).toBeNull();
      });

      it('pages problems in import order', async () => {
        const { dataset } = await stores.datasets.importProblems('big', 'big.jsonl', problems(1200));
        await stores.datasets.importProblems('big', 'big.jsonl', [...problems(1205)].reverse());
        const ids: string[] = [];
        let after: string | null = null;
        do {
          const page = await stores.datasets.problems(dataset.id, { first: 500, after });
          expect(page.total).toBe(1205);
          ids.push(...page.items.map((p) => p.externalId));
          after = page.nextCursor;
        } while (after);
        expect(ids).toEqual([...problems(1200).map((p) => p.externalId), 'p1205', 'p1204', 'p1203', 'p1202', 'p1201']);
        const one = (await stores.datasets.problems(dataset.id, { first: 1 })).items[0]!;
        expect(one).toMatchObject({ datasetId: dataset.id, externalId: 'p1', question: 'Problem 1?', answer: '1' });
        expect(await stores.datasets.problem(one.id)).toEqual(one);
        expect(await stores.datasets.problem('no-such-problem')).toBeNull();
        expect(await stores.datasets.problems('no-such-dataset', { first: 5 })).toEqual({ items: [], total: 0, nextCursor: null });
      });

      it('lists datasets by name across pages', async () => {
        for (const name of ['math', 'aime', 'gsm8k']) await stores.datasets.importProblems(name, `${name}.jsonl`, problems(1));
        const page1 = await stores.datasets.list({ first: 2 });
        expect(page1.items.map((d) => d.name)).toEqual(['aime', 'gsm8k']);
        expect(page1.total).toBe(3);
        const page2 = await stores.datasets.list({ first: 2, after: page1.nextCursor });
        expect(page2.items.map((d) => d.name)).toEqual(['math']);
        expect(page2.nextCursor).toBeNull();
        await expect(stores.datasets.importProblems('', 'x', [])).rejects.toMatchObject({ code: 'INVALID' });
      });
    });

    describe('api keys', () => {
      it('issues a key whose secret is shown once and stored hashed', async () => {
        const { key, secret } = await stores.apiKeys.issue({ name: 'gateway', role: 'admin', rateLimitPerMinute: 120 });
        expect(secret).toMatch(/^rsk_[A-Za-z0-9_-]{43}$/);
        expect(key).toMatchObject({ name: 'gateway', role: 'admin', rateLimitPerMinute: 120, prefix: secret.slice(0, 12), revokedAt: null, lastUsedAt: null });
        const rows = await db.dataSource.query<Record<string, unknown>[]>('SELECT * FROM api_keys');
        expect(rows).toHaveLength(1);
        expect(rows[0]!['secret_sha256']).toBe(createHash('sha256').update(secret).digest('hex'));
        expect(JSON.stringify(rows)).not.toContain(secret);
        await expect(stores.apiKeys.issue({ name: 'x', role: 'root' as 'admin', rateLimitPerMinute: 1 })).rejects.toMatchObject({ code: 'INVALID' });
        await expect(stores.apiKeys.issue({ name: 'x', role: 'client', rateLimitPerMinute: 0 })).rejects.toMatchObject({ code: 'INVALID' });
      });

      it('check tells valid, revoked and unknown apart and records the last use', async () => {
        const { key, secret } = await stores.apiKeys.issue({ name: 'cli', role: 'client', rateLimitPerMinute: 30 });
        tick(60_000);
        const valid = await stores.apiKeys.check(secret);
        expect(valid).toEqual({ status: 'valid', key: { ...key, lastUsedAt: new Date(T0 + 60_000) } });
        expect((await stores.apiKeys.list())[0]!.lastUsedAt).toEqual(new Date(T0 + 60_000));

        const wrongTail = secret.slice(0, 12) + (secret[12] === 'A' ? 'B' : 'A') + secret.slice(13);
        expect(await stores.apiKeys.check(wrongTail)).toEqual({ status: 'unknown' });
        expect(await stores.apiKeys.check('rsk_short')).toEqual({ status: 'unknown' });
        expect(await stores.apiKeys.check('')).toEqual({ status: 'unknown' });
        expect(await stores.apiKeys.check('rsk_' + 'x'.repeat(43))).toEqual({ status: 'unknown' });

        tick(1000);
        const revoked = await stores.apiKeys.revoke(key.prefix);
        expect(revoked).toMatchObject({ id: key.id, revokedAt: new Date(T0 + 61_000) });
        const checked = await stores.apiKeys.check(secret);
        expect(checked.status).toBe('revoked');
        // Revoking again is not an error and keeps the first time.
        tick(1000);
        expect((await stores.apiKeys.revoke(key.id))?.revokedAt).toEqual(new Date(T0 + 61_000));
        expect(await stores.apiKeys.revoke('rsk_nosuchkey')).toBeNull();
      });

      it('lists keys oldest first', async () => {
        const a = await stores.apiKeys.issue({ name: 'a', role: 'client', rateLimitPerMinute: 10 });
        tick();
        const b = await stores.apiKeys.issue({ name: 'b', role: 'admin', rateLimitPerMinute: 20 });
        expect(await stores.apiKeys.list()).toEqual([a.key, b.key]);
      });
    });

    describe('models', () => {
      it('registers, updates by name, gets and lists by kind', async () => {
        const policy = await stores.models.register({ name: 'qwen-r1', kind: 'policy', uri: 'http://vllm:8000', round: 1, metadata: { base: 'qwen2.5-math-7b', steps: [1, 2] } });
        expect(policy).toMatchObject({ name: 'qwen-r1', kind: 'policy', uri: 'http://vllm:8000', round: 1, metadata: { base: 'qwen2.5-math-7b', steps: [1, 2] }, createdAt: new Date(T0) });
        await stores.models.register({ name: 'ppm-r2', kind: 'ppm', uri: '/models/ppm-r2' });
        tick(5);
        const updated = await stores.models.register({ name: 'qwen-r1', kind: 'policy', uri: 'http://vllm-2:8000', round: 2 });
        expect(updated).toEqual({ ...policy, uri: 'http://vllm-2:8000', round: 2, metadata: {} });
        expect(await stores.models.get('qwen-r1')).toEqual(updated);
        expect(await stores.models.get('nope')).toBeNull();
        expect((await stores.models.list()).map((m) => m.name)).toEqual(['ppm-r2', 'qwen-r1']);
        expect((await stores.models.list('ppm')).map((m) => m.name)).toEqual(['ppm-r2']);
        expect((await stores.models.list(null)).length).toBe(2);
        await expect(stores.models.register({ name: 'x', kind: 'reward' as 'ppm', uri: 'u' })).rejects.toMatchObject({ code: 'INVALID' });
      });
    });

    describe('training sets', () => {
      const manifest = { schema: 'rstar.sft-manifest.v1', command: 'rstar bootstrap --out runs/r0', counts: { verified: 7, 'dropped:wrong-answer': 2 }, specialTokens: ['<code>', '<end_of_step>'] };

      it('registers with its manifest, updates by name keeping id and createdAt, gets and lists by kind', async () => {
        const sft = await stores.trainingSets.register({ name: 'gsm8k-r0', kind: 'sft', uri: '/runs/r0/sft.jsonl', round: 0, recordCount: 7, metadata: manifest });
        expect(sft).toEqual({ id: expect.any(String), name: 'gsm8k-r0', kind: 'sft', uri: '/runs/r0/sft.jsonl', round: 0, recordCount: 7, metadata: manifest, createdAt: new Date(T0), updatedAt: new Date(T0) });
        await stores.trainingSets.register({ name: 'pairs-r1', kind: 'ppm-pairs', uri: '/runs/r1/pairs.jsonl', round: 1, recordCount: 120 });
        await stores.trainingSets.register({ name: 'a-r1', kind: 'sft', uri: '/runs/r1/sft.jsonl', round: 1, recordCount: 3000 });
        tick(5);
        const rerun = await stores.trainingSets.register({ name: 'gsm8k-r0', kind: 'sft', uri: '/runs/r0b/sft.jsonl', recordCount: 9 });
        expect(rerun).toEqual({ ...sft, uri: '/runs/r0b/sft.jsonl', recordCount: 9, metadata: {}, updatedAt: new Date(T0 + 5) });
        expect(await stores.trainingSets.get('gsm8k-r0')).toEqual(rerun);
        expect(await stores.trainingSets.get('nope')).toBeNull();
        expect((await stores.trainingSets.list()).map((t) => t.name)).toEqual(['gsm8k-r0', 'a-r1', 'pairs-r1']);
        expect((await stores.trainingSets.list('ppm-pairs')).map((t) => t.name)).toEqual(['pairs-r1']);
        expect((await stores.trainingSets.list(null)).length).toBe(3);
        // Separate from the models registry and from problem datasets.
        expect(await stores.models.list()).toEqual([]);
        expect((await stores.datasets.list({ first: 10 })).total).toBe(0);
      });

      it('refuses an empty name or uri, an unknown kind and counts that are not non-negative integers', async () => {
        const good = { name: 't', kind: 'sft' as const, uri: '/t.jsonl', recordCount: 1 };
        for (const bad of [{ name: ' ' }, { uri: '' }, { kind: 'pairs' as 'sft' }, { recordCount: -1 }, { recordCount: 1.5 }, { round: -2 }]) {
          await expect(stores.trainingSets.register({ ...good, ...bad })).rejects.toMatchObject({ code: 'INVALID' });
        }
        expect(await stores.trainingSets.list()).toEqual([]);
      });
    });
  });
}

function problems(count: number): NewProblem[] {
  return Array.from({ length: count }, (_, i) => ({ externalId: `p${i + 1}`, question: `Problem ${i + 1}?`, answer: i % 3 === 2 ? null : String(i + 1) }));
}

/** A finished search with `nodeCount` nodes covering every kind of field value. */
function outcome(nodeCount: number, answer: string | null = '42'): JobOutcome {
  const kinds: NodeReport['kind'][] = ['code', 'final_code', 'answer', 'truncated'];
  const nodes: NodeReport[] = Array.from({ length: nodeCount }, (_, id) => ({
    id,
    parentId: id === 0 ? null : Math.floor((id - 1) / 4),
    depth: id === 0 ? 0 : 1 + Math.floor(Math.log(id) / Math.log(4)),
    kind: id === 0 ? 'root' : kinds[id % 4]!,
    text: id === 0 ? 'What is 6 * 7?' : `# step ${id}: multiply\nx = 6 * 7  # ${'`'}${'$'}{id}\\n 'quoted' "double"`,
    reasoning: id === 0 ? '' : `step ${id} — ünïcödé ∑`,
    code: id === 0 ? '' : `x = 6 * ${id}`,
    output: id % 5 === 0 ? null : `${6 * id}\n`,
    errorKind: id % 7 === 3 ? 'runtime' : null,
    executed: id % 2 === 0,
    answer: id % 4 === 2 ? answer : null,
    terminal: id % 4 === 2,
    terminalReason: id % 4 === 2 ? 'answer' : null,
    q: Math.sin(id) / 3,
    visits: id * 3,
    valueSum: id * 0.125 - 1 / 3,
    ppmScore: id % 3 === 0 ? null : 1 / (id + 7),
    reward: id % 4 === 2 ? 1 : null,
    correct: id % 4 === 2 ? id % 8 === 2 : null,
  }));
  const report: SearchReport = {
    question: 'What is 6 * 7?',
    method: 'mcts',
    config: parseSearchConfig({ rollouts: 16 }),
    evaluator: 'consistency',
    answer,
    answerNodeId: nodeCount > 2 ? 2 : null,
    answerQ: answer === null ? null : 0.8125,
    bestTrajectory: nodeCount > 2 ? [0, 2] : [],
    rollouts: 16,
    elapsedMs: 12_345,
    stats: emptyStats(),
    nodes,
  };
  return { report, policyModel: 'qwen2.5-math-0.5b' };
}
