import { Logger } from '@nestjs/common';
import { searchV1 } from '@rstar/contracts';
import { chooseTerminalEvaluator, runSearch, toSearchReport, type SearchDeps, type SearchProgress } from '@rstar/mcts';
import { RpcCallError, RpcErrorCode, type SolveJobDelivery, type SolveJobDisposition } from '@rstar/messaging';
import type { SolveJobRecord, SolveJobStore } from '@rstar/persistence';
import type { SearchPorts } from './search.ports.js';
import { toTrajectoryCompleted } from './trajectory-completed.mapper.js';

export type RunnerLogger = Pick<Logger, 'log' | 'warn' | 'error'>;

export interface SolveJobRunnerOptions {
  /** The name this instance claims jobs under. */
  workerId: string;
  /** How long a job that failed for a transient reason waits before its next delivery. */
  retryDelayMs: number;
  logger?: RunnerLogger;
}

/** Why a search was stopped before it ended. */
export class SearchInterrupted extends Error {
  override readonly name = 'SearchInterrupted';
  constructor(readonly why: 'shutdown' | 'taken_over') {
    super(why === 'shutdown' ? 'the worker is shutting down' : 'another worker took the job over');
  }
}

/** RPC failures that another try cannot fix: the request or the reply breaks its contract, or the model refused it. */
const PERMANENT_RPC_ERRORS = new Set<RpcErrorCode>([RpcErrorCode.INVALID_PAYLOAD, RpcErrorCode.UPSTREAM_REJECTED, RpcErrorCode.INVALID_REPLY]);

/**
 * Whether retrying the job cannot help. Unknown errors (a database connection dropped, a service restarting)
 * count as transient: the job is retried until its last delivery, which bounds a real bug's cost.
 */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof RpcCallError && PERMANENT_RPC_ERRORS.has(error.code);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function progressEvent(
  jobId: string,
  status: searchV1.JobStatus,
  done: number,
  total: number,
  best: { answer: string | null; q: number | null } = { answer: null, q: null },
  error?: string,
): searchV1.SolveProgressed {
  return {
    jobId,
    status,
    rolloutsDone: done,
    rolloutsTotal: total,
    ...(best.answer === null ? {} : { bestAnswer: best.answer }),
    ...(best.q === null ? {} : { bestQ: best.q }),
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * Writes a job's progress to the store one write at a time, skipping to the latest when searches report
 * faster than the database answers. A write refused (another worker holds the job now) calls `onTakenOver`.
 */
class ProgressRecorder {
  last: SearchProgress | null = null;
  private next: SearchProgress | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly jobs: SolveJobStore,
    private readonly job: SolveJobRecord,
    private readonly workerId: string,
    private readonly onTakenOver: () => void,
    private readonly logger: RunnerLogger,
  ) {}

  record(progress: SearchProgress): void {
    this.last = progress;
    this.next = progress;
    this.writing ??= this.drain();
  }

  async settle(): Promise<void> {
    await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const p = this.next;
      this.next = null;
      try {
        const held = await this.jobs.recordProgress(this.job.id, this.workerId, { rolloutsDone: p.done, rolloutsTotal: p.total, bestAnswer: p.bestAnswer, bestQ: p.bestQ });
        if (!held) this.onTakenOver();
      } catch (error) {
        // Progress is informative: the search goes on; the final state is written by complete().
        this.logger.warn(`job ${this.job.id}: progress not recorded: ${describe(error)}`);
      }
    }
    this.writing = null;
  }
}

/**
 * What a search worker does with each delivered job: claim it, run the search with the clients it is given,
 * record progress, and settle the message so that a job is never lost and never completed twice:
 * - claim null (finished or unknown) → ack and drop;
 * - success → complete; only the worker whose complete() wins publishes the tree and the final event; a
 *   worker that lost the job meanwhile leaves the message to the delivery that owns it now (`abandon`);
 * - transient failure → release + nak with a delay; permanent failure, or any failure on the last delivery
 *   → fail + FAILED event + term (dead letter);
 * - shutdown → abort the search, release, nak(0) so another instance starts it at once.
 */
export class SolveJobRunner {
  private readonly running = new Set<AbortController>();
  private stopping = false;
  private readonly logger: RunnerLogger;

  constructor(
    private readonly ports: SearchPorts,
    private readonly options: SolveJobRunnerOptions,
  ) {
    this.logger = options.logger ?? new Logger('SolveJobRunner');
  }

  /** Searches in flight. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Aborts every search in flight; each handler then releases its job and hands its message back. */
  stop(): void {
    this.stopping = true;
    for (const controller of this.running) controller.abort(new SearchInterrupted('shutdown'));
  }

  readonly handle = async (delivery: SolveJobDelivery): Promise<SolveJobDisposition> => {
    if (this.stopping) return { action: 'nak', delayMs: 0 };
    const { workerId } = this.options;
    const job = await this.ports.jobs.claim(delivery.jobId, workerId);
    if (!job) {
      this.logger.log(`job ${delivery.jobId}: finished already or unknown; message dropped`);
      return { action: 'ack' };
    }
    this.logger.log(`job ${job.id}: started (attempt ${job.attempts}, delivery ${delivery.deliveryCount} of ${delivery.maxDeliver})`);
    const controller = new AbortController();
    this.running.add(controller);
    if (this.stopping) controller.abort(new SearchInterrupted('shutdown'));
    try {
      return await this.search(job, delivery, controller);
    } catch (error) {
      return await this.failed(job, delivery, controller.signal, error);
    } finally {
      this.running.delete(controller);
    }
  };

  /** A job redelivered after its worker died on the last delivery: it fails, so it does not stay running for ever. */
  readonly onExhausted = async (delivery: SolveJobDelivery): Promise<void> => {
    const { workerId } = this.options;
    const job = await this.ports.jobs.claim(delivery.jobId, workerId);
    if (!job) return;
    const message = `no worker finished the job in ${delivery.maxDeliver} deliveries`;
    if (await this.ports.jobs.fail(job.id, workerId, message)) {
      this.publishProgress(progressEvent(job.id, searchV1.JobStatus.JOB_STATUS_FAILED, 0, job.rolloutsTotal, undefined, message));
      this.logger.error(`job ${job.id}: failed: ${message}`);
    }
  };

  /** Progress events are for watchers: one that cannot be sent (NATS away) never fails the search. */
  private publishProgress(event: searchV1.SolveProgressed): void {
    try {
      this.ports.progress.publish(event);
    } catch (error) {
      this.logger.warn(`job ${event.jobId}: progress event not sent: ${describe(error)}`);
    }
  }

  private searchDeps(job: SolveJobRecord): SearchDeps {
    const { policy, sandbox, grader, ppm } = this.ports.clients;
    return { policy, sandbox, ppm, evaluator: chooseTerminalEvaluator({ grader, reference: job.referenceAnswer, ppm }) };
  }

  private async search(job: SolveJobRecord, delivery: SolveJobDelivery, controller: AbortController): Promise<SolveJobDisposition> {
    const { jobs, trajectories } = this.ports;
    const { workerId } = this.options;
    const { JOB_STATUS_RUNNING: RUNNING, JOB_STATUS_SUCCEEDED: SUCCEEDED } = searchV1.JobStatus;
    const recorder = new ProgressRecorder(jobs, job, workerId, () => controller.abort(new SearchInterrupted('taken_over')), this.logger);
    this.publishProgress(progressEvent(job.id, RUNNING, 0, job.rolloutsTotal));
    const result = await runSearch(job.question, job.config, this.searchDeps(job), {
      signal: controller.signal,
      onProgress: (p) => {
        recorder.record(p);
        this.publishProgress(progressEvent(job.id, RUNNING, p.done, p.total, { answer: p.bestAnswer, q: p.bestQ }));
        delivery.working();
      },
    });
    await recorder.settle();
    controller.signal.throwIfAborted();
    const report = toSearchReport(result);
    const policyModel = await this.ports.policyModel().catch(() => 'unknown');
    if (!(await jobs.complete(job.id, workerId, { report, policyModel }))) {
      this.logger.warn(`job ${job.id}: finished, but another worker holds it now; its result is theirs to write`);
      return { action: 'abandon' };
    }
    try {
      await trajectories.publish(toTrajectoryCompleted(job, report, policyModel));
    } catch (error) {
      // The tree is stored; only the curation feed misses it. Retrying the job would not bring it back (it is done).
      this.logger.error(`job ${job.id}: tree stored but not published on Kafka: ${describe(error)}`);
    }
    const done = recorder.last?.done ?? report.rollouts;
    const total = recorder.last?.total ?? job.rolloutsTotal;
    this.publishProgress(progressEvent(job.id, SUCCEEDED, done, total, { answer: report.answer, q: report.answerQ }));
    this.logger.log(`job ${job.id}: succeeded with ${report.answer ?? 'no answer'} (Q ${report.answerQ ?? '-'}) in ${report.elapsedMs} ms`);
    return { action: 'ack' };
  }

  private async failed(job: SolveJobRecord, delivery: SolveJobDelivery, signal: AbortSignal, error: unknown): Promise<SolveJobDisposition> {
    const { jobs } = this.ports;
    const { workerId } = this.options;
    const interrupted = signal.aborted && signal.reason instanceof SearchInterrupted ? signal.reason : null;
    if (interrupted?.why === 'taken_over') {
      this.logger.warn(`job ${job.id}: another worker took the job over; this search stops`);
      return { action: 'abandon' };
    }
    if (interrupted?.why === 'shutdown') {
      const released = await jobs.release(job.id, workerId);
      this.logger.log(`job ${job.id}: handed back for another instance (shutdown)`);
      return released ? { action: 'nak', delayMs: 0 } : { action: 'abandon' };
    }
    const message = describe(error);
    if (!isPermanentFailure(error) && !delivery.lastDelivery) {
      this.logger.warn(`job ${job.id}: attempt failed (${message}); retried in ${this.options.retryDelayMs} ms`);
      const released = await jobs.release(job.id, workerId);
      return released ? { action: 'nak', delayMs: this.options.retryDelayMs } : { action: 'abandon' };
    }
    if (!(await jobs.fail(job.id, workerId, message))) return { action: 'abandon' };
    this.publishProgress(progressEvent(job.id, searchV1.JobStatus.JOB_STATUS_FAILED, 0, job.rolloutsTotal, undefined, message));
    this.logger.error(`job ${job.id}: failed: ${message}`);
    return { action: 'term', reason: `job failed: ${message}` };
  }
}
