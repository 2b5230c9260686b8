import type { JobOutcome, JobProgress, NewSolveJob, SolveJobRecord, SolveJobStore } from '@rstar/persistence';

/** Where warnings go (a NestJS Logger, the CLI's stderr); silent when not given. */
export interface LifecycleLogger {
  warn(message: string): void;
}

/** The work queue a submitted job is put on (the JetStream queue in the deployment). */
export interface JobQueue {
  enqueue(jobId: string, correlationId: string): Promise<unknown>;
}

/** The queue refused a new job; the job is stored as failed, so it does not look queued for ever. */
export class JobNotQueuedError extends Error {
  override readonly name = 'JobNotQueuedError';
  constructor(
    readonly jobId: string,
    options: { cause: unknown },
  ) {
    super(`job ${jobId} could not be queued: ${describe(options.cause)}`, options);
  }
}

export const NOT_QUEUED_REASON = 'the job could not be queued';

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The life of a solve job, in one place, for every process that makes or runs jobs (the gateway, the search
 * workers, the CLI, synthesis runs):
 *
 *     create ─ submit (queued) ─ claim ─ progress … ─ complete | fail | release (queued again)
 *                 └ not queued: abandon          └ worker dead: abandon
 *
 * Every change of a claimed job goes through the worker that holds it (`HeldJob`), as one conditional update
 * in the store, so two workers that both believe they hold a job can never both finish it. `abandon` is the one
 * way to fail a job that no worker holds or whose worker is known to be dead.
 */
export class JobLifecycle {
  constructor(
    readonly jobs: SolveJobStore,
    private readonly logger: LifecycleLogger = { warn: () => undefined },
  ) {}

  /**
   * Stores a new job and puts it on the queue. When the queue refuses, the job is abandoned (nothing will ever
   * run it) and JobNotQueuedError is thrown.
   */
  async submit(job: NewSolveJob, queue: JobQueue): Promise<SolveJobRecord> {
    const record = await this.jobs.create(job);
    try {
      await queue.enqueue(record.id, record.correlationId);
    } catch (error) {
      await this.abandonQuietly(record.id, NOT_QUEUED_REASON, null);
      throw new JobNotQueuedError(record.id, { cause: error });
    }
    return record;
  }

  /** Gives a queued (or running, taken over) job to `workerId`; null when it is finished or unknown. */
  async claim(id: string, workerId: string): Promise<HeldJob | null> {
    const record = await this.jobs.claim(id, workerId);
    return record ? new HeldJob(this.jobs, record, workerId, this.logger) : null;
  }

  /**
   * A job the calling process runs itself, with no queue (the CLI, a synthesis run): stored and claimed at once.
   * `rolloutsTotal` is what the method reports progress against when it differs from the job's plan.
   */
  async start(job: NewSolveJob, workerId: string, rolloutsTotal?: number): Promise<HeldJob> {
    const created = await this.jobs.create(job);
    const held = await this.claim(created.id, workerId);
    if (!held) throw new Error(`job ${created.id} could not be claimed`);
    if (rolloutsTotal !== undefined && rolloutsTotal !== held.record.rolloutsTotal) {
      if (!(await held.write({ rolloutsDone: 0, rolloutsTotal, bestAnswer: null, bestQ: null }))) throw new Error(`job ${created.id} is no longer held by ${workerId}`);
    }
    return held;
  }

  /**
   * Fails a job that will not finish, whatever unfinished state it is in: queued, or running by a worker that
   * is gone (its queue message was delivered past its limit). False when it finished meanwhile.
   */
  async abandon(id: string, reason: string): Promise<boolean> {
    const job = await this.jobs.get(id);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return false;
    return this.jobs.abandon(id, reason, job.status === 'running' ? job.workerId : null);
  }

  /**
   * Fails the running jobs whose worker `isGone` says has died (a killed CLI process: no queue hands its job to
   * another worker). Returns how many.
   */
  async abandonOrphans(isGone: (workerId: string) => boolean, reason: string, pageSize = 200): Promise<number> {
    // Read every page first: failing jobs while paging would change the list being paged.
    const orphans: { id: string; workerId: string }[] = [];
    let after: string | null = null;
    do {
      const page = await this.jobs.list({ first: pageSize, after, status: 'running' });
      for (const job of page.items) if (job.workerId !== null && isGone(job.workerId)) orphans.push({ id: job.id, workerId: job.workerId });
      after = page.nextCursor;
    } while (after !== null);
    let abandoned = 0;
    for (const orphan of orphans) if (await this.jobs.abandon(orphan.id, reason, orphan.workerId)) abandoned++;
    return abandoned;
  }

  private async abandonQuietly(id: string, reason: string, heldBy: string | null): Promise<void> {
    try {
      await this.jobs.abandon(id, reason, heldBy);
    } catch (error) {
      this.logger.warn(`job ${id} stays ${heldBy === null ? 'queued' : 'running'} though nothing will run it: ${describe(error)}`);
    }
  }
}

/**
 * A job held by one worker. Progress is written one write at a time, skipping to the latest when the search
 * reports faster than the database answers; a write refused (another worker holds the job now) calls
 * `onTakenOver`. complete/fail/release answer false when the job is no longer this worker's.
 */
export class HeldJob {
  private last: JobProgress | null = null;
  private next: JobProgress | null = null;
  private writing: Promise<void> | null = null;
  private takenOver: () => void = () => undefined;

  constructor(
    private readonly jobs: SolveJobStore,
    readonly record: SolveJobRecord,
    readonly workerId: string,
    private readonly logger: LifecycleLogger,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /** The latest progress reported, written or not. */
  get lastProgress(): JobProgress | null {
    return this.last;
  }

  /** Called (once per refused write) when the store says another worker holds the job now. */
  onTakenOver(callback: () => void): void {
    this.takenOver = callback;
  }

  progress(progress: JobProgress): void {
    this.last = progress;
    this.next = progress;
    this.writing ??= this.drain();
  }

  /** Waits for the progress writes in flight. */
  async settle(): Promise<void> {
    await this.writing;
  }

  /** Writes progress now; false when the job is not this worker's any more. */
  write(progress: JobProgress): Promise<boolean> {
    return this.jobs.recordProgress(this.id, this.workerId, progress);
  }

  /** Succeeded, with the tree (and the message to publish, through the outbox) in one transaction. */
  async complete(outcome: JobOutcome): Promise<boolean> {
    await this.settle();
    return this.jobs.complete(this.id, this.workerId, outcome);
  }

  async fail(reason: string): Promise<boolean> {
    await this.settle();
    return this.jobs.fail(this.id, this.workerId, reason);
  }

  /** Back to the queue (a worker shutting down, or a retry). */
  async release(): Promise<boolean> {
    await this.settle();
    return this.jobs.release(this.id, this.workerId);
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const p = this.next;
      this.next = null;
      try {
        if (!(await this.write(p))) this.takenOver();
      } catch (error) {
        // Progress is informative: the search goes on; the final state is written by complete().
        this.logger.warn(`job ${this.id}: progress not recorded: ${describe(error)}`);
      }
    }
    this.writing = null;
  }
}
