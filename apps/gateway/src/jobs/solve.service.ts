import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobLifecycle, JobNotQueuedError } from '@rstar/job-lifecycle';
import type { JobStatus, Page, SearchTreeRecord, SolveJobRecord, Stores } from '@rstar/persistence';
import { isAdmin, principalKeyId, type Principal } from '../auth/principal.js';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { GatewayConfig } from '../gateway.config.js';
import { GATEWAY_CONFIG, JOB_DISPATCHER, PROGRESS_FEED, STORES, type JobDispatcher, type ProgressFeed } from '../gateway.ports.js';
import { isFinalProgress, isFinished, progressFromEvent, progressFromRecord } from './solve-job.mapper.js';
import type { SolveInput, SolveProgress } from './solve-job.types.js';
import { checkProblemText, checkReferenceAnswer, problemSource, searchConfigOf } from './solve-input.validator.js';

/** Solve jobs as the GraphQL API sees them: create-and-queue, read, list, follow. */
@Injectable()
export class SolveService {
  private readonly logger = new Logger(SolveService.name);
  private readonly lifecycle: JobLifecycle;

  constructor(
    @Inject(STORES) private readonly stores: Pick<Stores, 'jobs' | 'trees' | 'datasets'>,
    @Inject(JOB_DISPATCHER) private readonly dispatcher: JobDispatcher,
    @Inject(PROGRESS_FEED) private readonly progress: ProgressFeed,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.lifecycle = new JobLifecycle(stores.jobs, this.logger);
  }

  /** Validates, stores the job (queued), puts it on the work queue. */
  async solve(input: SolveInput, principal: Principal, correlationId: string): Promise<SolveJobRecord> {
    const limits = {
      maxProblemChars: this.config.RSTAR_MAX_PROBLEM_CHARS,
      maxRollouts: this.config.RSTAR_MAX_ROLLOUTS,
      maxWidth: this.config.RSTAR_MAX_WIDTH,
    };
    const source = problemSource(input);
    const config = searchConfigOf(input, limits);
    let referenceAnswer = checkReferenceAnswer(input.referenceAnswer);
    let question: string;
    let problemId: string | null = null;
    if ('problem' in source) {
      question = checkProblemText(source.problem, limits.maxProblemChars);
    } else {
      const problem = await this.stores.datasets.problem(source.problemId);
      if (!problem) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no problem ${source.problemId}`, { field: 'problemId' });
      question = checkProblemText(problem.question, limits.maxProblemChars, 'problemId');
      problemId = problem.id;
      referenceAnswer ??= problem.answer;
    }
    try {
      return await this.lifecycle.submit({ question, referenceAnswer, problemId, config, apiKeyId: principalKeyId(principal), correlationId }, this.dispatcher);
    } catch (error) {
      if (!(error instanceof JobNotQueuedError)) throw error;
      // The lifecycle stored the job as failed: it does not look queued for ever.
      this.logger.error(error.message);
      throw new GatewayError(GatewayErrorCode.SERVICE_UNAVAILABLE, 'the job could not be queued; try again later', {}, { cause: error.cause });
    }
  }

  /** A job the principal may see (its own; any for an admin); NOT_FOUND otherwise. */
  async job(id: string, principal: Principal): Promise<SolveJobRecord> {
    const job = await this.stores.jobs.get(id);
    if (!job || !(isAdmin(principal) || job.apiKeyId === principalKeyId(principal))) {
      throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no solve job ${id}`, { field: 'id' });
    }
    return job;
  }

  /** The principal's jobs, newest first (every job for an admin). */
  jobs(page: { first: number; after: string | null }, status: JobStatus | null, principal: Principal): Promise<Page<SolveJobRecord>> {
    return this.stores.jobs.list({ ...page, status, ...(isAdmin(principal) ? {} : { apiKeyId: principalKeyId(principal) }) });
  }

  tree(jobId: string): Promise<SearchTreeRecord | null> {
    return this.stores.trees.get(jobId);
  }

  /**
   * The job's stored state, then its live events, ending after the final one. Listening starts before the
   * stored state is read, so an event published in between is not lost (at worst it repeats what was read).
   */
  async follow(id: string, principal: Principal): Promise<AsyncIterableIterator<SolveProgress>> {
    const first = await this.job(id, principal);
    const stream = await this.progress.subscribe(first.id);
    const jobs = this.stores.jobs;
    // The stored state after subscribing: what happened before is in it, what happens after comes as events.
    const current = (await jobs.get(first.id)) ?? first;

    async function* events(): AsyncGenerator<SolveProgress> {
      try {
        yield progressFromRecord(current);
        if (isFinished(current.status)) return;
        for await (const event of stream) {
          const progress = progressFromEvent(event);
          if (!progress) continue;
          if (isFinalProgress(progress)) {
            // The stored job has what the event lacks (the final answer and its Q, once written).
            const stored = await jobs.get(current.id);
            yield stored && isFinished(stored.status) ? progressFromRecord(stored) : progress;
            return;
          }
          yield progress;
        }
      } finally {
        stream.close();
      }
    }

    const iterator = events();
    // return() must end a subscription whose generator is waiting for the next event: close the stream first.
    const subscription: AsyncIterableIterator<SolveProgress> = {
      next: () => iterator.next(),
      return: (value?: unknown) => {
        stream.close();
        return iterator.return(value);
      },
      throw: (error?: unknown) => {
        stream.close();
        return iterator.throw(error);
      },
      [Symbol.asyncIterator]: () => subscription,
    };
    return subscription;
  }
}
