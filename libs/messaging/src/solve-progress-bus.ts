import type { NatsConnection } from '@nats-io/transport-node';
import { decodeMessage, EVENT_SUBJECTS, searchV1 } from '@rstar/contracts';
import { currentCorrelationId, newCorrelationId } from '@rstar/service-kit';
import { correlationHeaders } from './nats-headers.js';
import { assertJobId } from './solve-job-queue.js';

/** Progress events of one job, in order; ends after the job's SUCCEEDED or FAILED event, or on close(). */
export interface SolveProgressSubscription extends AsyncIterable<searchV1.SolveProgressed> {
  /** Stops listening; a pending iteration ends. */
  close(): void;
}

export interface SolveProgressBusOptions {
  /** Subject prefix; the job id is the last token (default the contract's SolveProgressed subject). */
  subject?: string;
}

export function isFinalProgress(event: searchV1.SolveProgressed): boolean {
  return event.status === searchV1.JobStatus.JOB_STATUS_SUCCEEDED || event.status === searchV1.JobStatus.JOB_STATUS_FAILED;
}

/**
 * Progress of solve jobs over core NATS, one subject per job (`<prefix>.<jobId>`): the search worker publishes,
 * the gateway's GraphQL subscription listens. Events are fire-and-forget: a listener that joins late reads
 * the job's stored state first.
 */
export class SolveProgressBus {
  private readonly prefix: string;

  constructor(
    private readonly nc: NatsConnection,
    options: SolveProgressBusOptions = {},
  ) {
    this.prefix = options.subject ?? EVENT_SUBJECTS.SolveProgressed;
  }

  subjectOf(jobId: string): string {
    assertJobId(jobId);
    return `${this.prefix}.${jobId}`;
  }

  /** Publishes with the correlation id given, else the one of the work in progress. */
  publish(event: searchV1.SolveProgressed, correlationId = currentCorrelationId() ?? newCorrelationId()): void {
    const h = correlationHeaders(correlationId);
    this.nc.publish(this.subjectOf(event.jobId), JSON.stringify(searchV1.SolveProgressed.toJSON(event)), { headers: h });
  }

  /** Waits until the server has seen what was published (before a worker acks its job, say). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /**
   * Listens to one job's events. A payload that breaks the contract (or names another job) is skipped and
   * handed to `onInvalid`.
   */
  subscribe(jobId: string, options: { onInvalid?: (reason: string) => void } = {}): SolveProgressSubscription {
    const subscription = this.nc.subscribe(this.subjectOf(jobId));
    const decoder = new TextDecoder();
    async function* events(): AsyncGenerator<searchV1.SolveProgressed> {
      try {
        for await (const msg of subscription) {
          let event: searchV1.SolveProgressed;
          try {
            event = decodeMessage(searchV1.SolveProgressed, JSON.parse(decoder.decode(msg.data)) as unknown, 'SolveProgressed');
          } catch (error) {
            options.onInvalid?.(error instanceof Error ? error.message : String(error));
            continue;
          }
          if (event.jobId !== jobId) {
            options.onInvalid?.(`event of job ${event.jobId} on the subject of job ${jobId}`);
            continue;
          }
          yield event;
          if (isFinalProgress(event)) return;
        }
      } finally {
        if (!subscription.isClosed()) subscription.unsubscribe();
      }
    }
    const iterator = events();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: () => {
        if (!subscription.isClosed()) subscription.unsubscribe();
      },
    };
  }
}
