// Test doubles of the job and outbox stores, with the real stores' rules: each transition only from the state
// it names. For unit tests only (imported as @rstar/job-lifecycle/testing); never used by product code.
import { parseSearchConfig, type SearchConfigInput } from '@rstar/mcts';
import type { JobOutcome, JobProgress, NewOutboxMessage, NewSolveJob, OutboxMessageRecord, OutboxStore, Page, SolveJobRecord, SolveJobStore } from '@rstar/persistence';

export class InMemoryOutbox implements OutboxStore {
  readonly messages: OutboxMessageRecord[] = [];
  private readonly leases = new Map<string, { holder: string; until: number }>();
  private seq = 0;
  /** The clock leases are measured by. */
  now = 0;

  add(message: NewOutboxMessage): Promise<OutboxMessageRecord> {
    const record: OutboxMessageRecord = { ...message, id: `msg-${++this.seq}`, attempts: 0, lastError: null, createdAt: new Date(this.seq), publishedAt: null };
    this.messages.push(record);
    return Promise.resolve(record);
  }

  lease(limit: number, holder: string, leaseMs: number): Promise<OutboxMessageRecord[]> {
    const free = this.messages.filter((m) => {
      const lease = this.leases.get(m.id);
      return m.publishedAt === null && (!lease || lease.until < this.now || lease.holder === holder);
    });
    const leased = free.slice(0, limit);
    for (const m of leased) this.leases.set(m.id, { holder, until: this.now + leaseMs });
    return Promise.resolve(leased.map((m) => ({ ...m })));
  }

  pending(limit: number): Promise<OutboxMessageRecord[]> {
    return Promise.resolve(this.messages.filter((m) => m.publishedAt === null).slice(0, limit).map((m) => ({ ...m })));
  }

  markPublished(id: string): Promise<boolean> {
    const message = this.messages.find((m) => m.id === id && m.publishedAt === null);
    if (message) message.publishedAt = new Date();
    return Promise.resolve(message !== undefined);
  }

  markFailed(id: string, error: string): Promise<void> {
    const message = this.messages.find((m) => m.id === id && m.publishedAt === null);
    if (message) Object.assign(message, { attempts: message.attempts + 1, lastError: error });
    this.leases.delete(id);
    return Promise.resolve();
  }

  countPending(): Promise<number> {
    return Promise.resolve(this.messages.filter((m) => m.publishedAt === null).length);
  }
}

export class InMemoryJobStore implements SolveJobStore {
  readonly jobs = new Map<string, SolveJobRecord>();
  readonly calls: string[] = [];
  readonly outcomes = new Map<string, JobOutcome>();
  /** Where complete() puts an outcome's message, as the real store does in its transaction. */
  readonly outbox = new InMemoryOutbox();
  /** Runs before recordProgress answers (a test makes another worker take the job over here). */
  beforeProgress: (id: string) => void = () => undefined;
  private seq = 0;

  add(fields: Partial<SolveJobRecord> & { config?: SearchConfigInput } = {}): SolveJobRecord {
    const id = fields.id ?? `job-${++this.seq}`;
    const { config, ...rest } = fields;
    const record: SolveJobRecord = {
      id,
      question: 'What is 8 * 9?',
      referenceAnswer: null,
      problemId: null,
      status: 'queued',
      attempts: 0,
      workerId: null,
      answer: null,
      answerQ: null,
      rolloutsDone: 0,
      rolloutsTotal: 2,
      bestAnswer: null,
      bestQ: null,
      error: null,
      apiKeyId: null,
      correlationId: `corr-${id}`,
      policyModel: null,
      elapsedMs: null,
      createdAt: new Date(0),
      startedAt: null,
      finishedAt: null,
      ...rest,
      config: parseSearchConfig({ rollouts: 2, width: 2, ...config }),
    };
    this.jobs.set(id, record);
    return record;
  }

  create(job: NewSolveJob): Promise<SolveJobRecord> {
    this.calls.push('create');
    return Promise.resolve({ ...this.add({ question: job.question, referenceAnswer: job.referenceAnswer ?? null, correlationId: job.correlationId, config: job.config }) });
  }

  get(id: string): Promise<SolveJobRecord | null> {
    const job = this.jobs.get(id);
    return Promise.resolve(job ? { ...job } : null);
  }

  claim(id: string, workerId: string): Promise<SolveJobRecord | null> {
    this.calls.push(`claim ${id} ${workerId}`);
    const job = this.jobs.get(id);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return Promise.resolve(null);
    Object.assign(job, { status: 'running', workerId, attempts: job.attempts + 1, rolloutsDone: 0, bestAnswer: null, bestQ: null });
    return Promise.resolve({ ...job });
  }

  private heldBy(id: string, workerId: string): SolveJobRecord | null {
    const job = this.jobs.get(id);
    return job && job.status === 'running' && job.workerId === workerId ? job : null;
  }

  recordProgress(id: string, workerId: string, progress: JobProgress): Promise<boolean> {
    this.calls.push(`progress ${id} ${progress.rolloutsDone}/${progress.rolloutsTotal}`);
    this.beforeProgress(id);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, progress);
    return Promise.resolve(job !== null);
  }

  async complete(id: string, workerId: string, outcome: JobOutcome): Promise<boolean> {
    this.calls.push(`complete ${id}`);
    const job = this.heldBy(id, workerId);
    if (!job) return false;
    Object.assign(job, { status: 'succeeded', answer: outcome.report.answer, answerQ: outcome.report.answerQ, policyModel: outcome.policyModel });
    this.outcomes.set(id, outcome);
    if (outcome.message) await this.outbox.add(outcome.message);
    return true;
  }

  fail(id: string, workerId: string, error: string): Promise<boolean> {
    this.calls.push(`fail ${id}`);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, { status: 'failed', error });
    return Promise.resolve(job !== null);
  }

  release(id: string, workerId: string): Promise<boolean> {
    this.calls.push(`release ${id}`);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, { status: 'queued', workerId: null });
    return Promise.resolve(job !== null);
  }

  abandon(id: string, reason: string, heldBy: string | null): Promise<boolean> {
    this.calls.push(`abandon ${id}`);
    const job = this.jobs.get(id);
    const abandonable = job && (heldBy === null ? job.status === 'queued' : job.status === 'running' && job.workerId === heldBy);
    if (abandonable) Object.assign(job, { status: 'failed', error: reason });
    return Promise.resolve(Boolean(abandonable));
  }

  list(options: { first: number; after?: string | null; status?: SolveJobRecord['status'] | null }): Promise<Page<SolveJobRecord>> {
    const all = [...this.jobs.values()].filter((j) => options.status == null || j.status === options.status);
    const start = options.after == null ? 0 : Number(options.after);
    const items = all.slice(start, start + options.first).map((j) => ({ ...j }));
    const end = start + items.length;
    return Promise.resolve({ items, total: all.length, nextCursor: end < all.length ? String(end) : null });
  }
}
