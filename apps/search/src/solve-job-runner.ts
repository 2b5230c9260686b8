import { Logger } from '@nestjs/common';
import { searchV1 } from '@rstar/contracts';
import { decideAfterFailure, JobLifecycle, type HeldJob, type RetryPolicy } from '@rstar/job-lifecycle';
import { chooseTerminalEvaluator, runSearch, toSearchReport, type SearchDeps } from '@rstar/mcts';
import { RpcCallError, RpcErrorCode, trajectoryRecord, type SolveJobDelivery, type SolveJobDisposition } from '@rstar/messaging';
import type { SolveJobRecord } from '@rstar/persistence';
import type { SearchPorts } from './search.ports.js';
import { toTrajectoryCompleted } from './trajectory-completed.mapper.js';

export type RunnerLogger = Pick<Logger, 'log' | 'warn' | 'error'>;

export interface SolveJobRunnerOptions {
  /** The name this instance claims jobs under. */
  workerId: string;
  /** How long a job that failed for a transient reason waits before its next delivery. */
  retryDelayMs: number;
  /** Kafka topic of finished trees (default the contract's, trajectories.v1); tests use their own. */
  trajectoryTopic?: string;
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
 * What a search worker does with each delivered job: claim it, run the search with the clients it is given,
 * record progress, and settle the message so that a job is never lost and never completed twice:
 * - claim null (finished or unknown) → ack and drop;
 * - success → complete, with the tree for Kafka written to the outbox in the same transaction; only the worker
 *   whose complete() wins publishes the final event; a worker that lost the job meanwhile leaves the message
 *   to the delivery that owns it now (`abandon`);
 * - transient failure → release + nak with a delay; permanent failure, or any failure on the last delivery
 *   → fail + FAILED event + term (dead letter);
 * - shutdown → abort the search, release, nak(0) so another instance starts it at once.
 */
export class SolveJobRunner {
  private readonly running = new Set<AbortController>();
  private stopping = false;
  private readonly logger: RunnerLogger;
  private readonly lifecycle: JobLifecycle;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly ports: SearchPorts,
    private readonly options: SolveJobRunnerOptions,
  ) {
    this.logger = options.logger ?? new Logger('SolveJobRunner');
    this.lifecycle = new JobLifecycle(ports.jobs, this.logger);
    this.retryPolicy = { retryDelayMs: options.retryDelayMs, isPermanent: isPermanentFailure };
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
    const job = await this.lifecycle.claim(delivery.jobId, this.options.workerId);
    if (!job) {
      this.logger.log(`job ${delivery.jobId}: finished already or unknown; message dropped`);
      return { action: 'ack' };
    }
    this.logger.log(`job ${job.id}: started (attempt ${job.record.attempts}, delivery ${delivery.deliveryCount} of ${delivery.maxDeliver})`);
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

  /** A job redelivered after its worker died on the last delivery: abandoned, so it does not stay running for ever. */
  readonly onExhausted = async (delivery: SolveJobDelivery): Promise<void> => {
    const message = `no worker finished the job in ${delivery.maxDeliver} deliveries`;
    if (await this.lifecycle.abandon(delivery.jobId, message)) {
      const job = await this.ports.jobs.get(delivery.jobId);
      this.publishProgress(progressEvent(delivery.jobId, searchV1.JobStatus.JOB_STATUS_FAILED, 0, job?.rolloutsTotal ?? 0, undefined, message));
      this.logger.error(`job ${delivery.jobId}: failed: ${message}`);
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

  private async search(job: HeldJob, delivery: SolveJobDelivery, controller: AbortController): Promise<SolveJobDisposition> {
    const { JOB_STATUS_RUNNING: RUNNING, JOB_STATUS_SUCCEEDED: SUCCEEDED } = searchV1.JobStatus;
    const record = job.record;
    job.onTakenOver(() => controller.abort(new SearchInterrupted('taken_over')));
    this.publishProgress(progressEvent(job.id, RUNNING, 0, record.rolloutsTotal));
    const result = await runSearch(record.question, record.config, this.searchDeps(record), {
      signal: controller.signal,
      onProgress: (p) => {
        job.progress({ rolloutsDone: p.done, rolloutsTotal: p.total, bestAnswer: p.bestAnswer, bestQ: p.bestQ });
        this.publishProgress(progressEvent(job.id, RUNNING, p.done, p.total, { answer: p.bestAnswer, q: p.bestQ }));
        delivery.working();
      },
    });
    await job.settle();
    controller.signal.throwIfAborted();
    const report = toSearchReport(result);
    const policyModel = await this.ports.policyModel().catch(() => 'unknown');
    // The tree for curation goes into the outbox with the job's success, so it reaches Kafka even if Kafka is away now.
    const message = trajectoryRecord(toTrajectoryCompleted(record, report, policyModel), delivery.correlationId, this.options.trajectoryTopic);
    if (!(await job.complete({ report, policyModel, message }))) {
      this.logger.warn(`job ${job.id}: finished, but another worker holds it now; its result is theirs to write`);
      return { action: 'abandon' };
    }
    this.ports.outbox.nudge();
    const done = job.lastProgress?.rolloutsDone ?? report.rollouts;
    const total = job.lastProgress?.rolloutsTotal ?? record.rolloutsTotal;
    this.publishProgress(progressEvent(job.id, SUCCEEDED, done, total, { answer: report.answer, q: report.answerQ }));
    this.logger.log(`job ${job.id}: succeeded with ${report.answer ?? 'no answer'} (Q ${report.answerQ ?? '-'}) in ${report.elapsedMs} ms`);
    return { action: 'ack' };
  }

  private async failed(job: HeldJob, delivery: SolveJobDelivery, signal: AbortSignal, error: unknown): Promise<SolveJobDisposition> {
    const interrupted = signal.aborted && signal.reason instanceof SearchInterrupted ? signal.reason : null;
    if (interrupted?.why === 'taken_over') {
      this.logger.warn(`job ${job.id}: another worker took the job over; this search stops`);
      return { action: 'abandon' };
    }
    if (interrupted?.why === 'shutdown') {
      const released = await job.release();
      this.logger.log(`job ${job.id}: handed back for another instance (shutdown)`);
      return released ? { action: 'nak', delayMs: 0 } : { action: 'abandon' };
    }
    const message = describe(error);
    const decision = decideAfterFailure(error, delivery.lastDelivery, this.retryPolicy);
    if (decision.action === 'retry') {
      this.logger.warn(`job ${job.id}: attempt failed (${message}); retried in ${decision.delayMs} ms`);
      return (await job.release()) ? { action: 'nak', delayMs: decision.delayMs } : { action: 'abandon' };
    }
    if (!(await job.fail(message))) return { action: 'abandon' };
    this.publishProgress(progressEvent(job.id, searchV1.JobStatus.JOB_STATUS_FAILED, 0, job.record.rolloutsTotal, undefined, message));
    this.logger.error(`job ${job.id}: failed: ${message}`);
    return { action: 'term', reason: `job failed: ${message}` };
  }
}
