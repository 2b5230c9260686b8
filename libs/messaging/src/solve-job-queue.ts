import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { decodeMessage, EVENT_SUBJECTS, JETSTREAM_STREAMS, searchV1 } from '@rstar/contracts';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelation } from '@rstar/service-kit';
import { correlationHeaders } from './nats-headers.js';

/** What went wrong in the solve-job messaging (queue, progress bus, trajectory publisher). */
export enum JobMessagingErrorCode {
  /** A job id that cannot travel in a subject or a message id. */
  InvalidJobId = 'invalid_job_id',
  /** The stream exists with settings the queue cannot work with (another retention policy). */
  QueueMisconfigured = 'queue_misconfigured',
  /** JetStream did not store the job (no stream answered, timeout). */
  EnqueueFailed = 'enqueue_failed',
  /** The trajectory publisher was used before connect() or after close(). */
  KafkaNotConnected = 'kafka_not_connected',
  /** Kafka refused or did not acknowledge a record. */
  KafkaPublishFailed = 'kafka_publish_failed',
}

export class JobMessagingError extends Error {
  constructor(
    readonly code: JobMessagingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobMessagingError';
  }
}

/** Job ids travel as a subject token (progress) and as the JetStream message id (dedupe). */
export function assertJobId(jobId: string): void {
  if (!/^[\w-]{1,128}$/.test(jobId)) throw new JobMessagingError(JobMessagingErrorCode.InvalidJobId, `invalid job id ${JSON.stringify(jobId)}`);
}

export interface SolveJobQueueOptions {
  /** Stream name (default RSTAR_SOLVE_JOBS); tests use their own. */
  stream?: string;
  /** Subject the stream keeps (default the contract's SolveJobQueued subject). */
  subject?: string;
  /** Durable pull consumer shared by every search instance. */
  consumer?: string;
  /** A delivery not acked, nakked or marked in progress within this time is redelivered. */
  ackWaitMs?: number;
  /** Deliveries a handler sees; one more delivery only dead-letters the message (its handler died on the last one). */
  maxDeliver?: number;
  /** Redelivery delays after ack timeouts (JetStream backoff); none: the ack wait each time. */
  backoffMs?: number[];
  /** How long JetStream remembers a message id, so the same job enqueued twice is stored once. */
  duplicateWindowMs?: number;
  /** Dead letters are published here (default the contract's MessageDeadLettered subject). */
  deadLetterSubject?: string;
  /** The stream that keeps dead letters (default the contract's RSTAR_DEAD_LETTERS). */
  deadLetterStream?: string;
  /** How long dead letters are kept. */
  deadLetterMaxAgeMs?: number;
  /** How long one pull waits for a message before it asks again. */
  pullExpiresMs?: number;
}

/** A delivered job, as a handler sees it. */
export interface SolveJobDelivery {
  readonly jobId: string;
  readonly correlationId: string;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly maxDeliver: number;
  /** No handler will see this job again: a failure now is final. */
  readonly lastDelivery: boolean;
  /** Tells JetStream the job is still being worked on (the queue also does so on a timer while the handler runs). */
  working(): void;
}

/**
 * What to do with a delivery once its handler is done: `ack` (done, or nothing left to do), `nak` (deliver it
 * again after the delay, to any instance), `term` (never again; dead-lettered with the reason), or `abandon`:
 * leave the message alone because a newer delivery of it (another worker that took the job over) owns it now.
 * JetStream settles a message by its stream sequence, so acking or nakking an old delivery would settle the
 * new owner's; an abandoned message that nobody owns comes back after the ack wait.
 */
export type SolveJobDisposition = { action: 'ack' } | { action: 'nak'; delayMs: number } | { action: 'term'; reason: string } | { action: 'abandon' };

export type SolveJobHandler = (delivery: SolveJobDelivery) => Promise<SolveJobDisposition>;

export interface ConsumeOptions {
  /** Jobs handled at the same time by this process. */
  concurrency: number;
  /** Stops pulling; consume() resolves once the handlers in flight have settled their messages. */
  signal: AbortSignal;
  /** A job redelivered past the last delivery a handler saw (its worker died): called before it is dead-lettered. */
  onExhausted?: (delivery: SolveJobDelivery) => Promise<void>;
  /** Pull failures, handler exceptions, dead letters: for the caller's log. */
  onEvent?: (event: QueueEvent) => void;
  /** Delay of the nak when a handler throws instead of returning a disposition. */
  errorNakDelayMs?: number;
}

export type QueueEvent =
  | { kind: 'pull_failed'; error: unknown }
  | { kind: 'handler_threw'; jobId: string; error: unknown }
  | { kind: 'dead_lettered'; jobId: string | null; reason: string }
  | { kind: 'settle_failed'; jobId: string | null; error: unknown };

const DEFAULTS = {
  consumer: 'search-workers',
  ackWaitMs: 30_000,
  maxDeliver: 5,
  duplicateWindowMs: 10 * 60_000,
  deadLetterMaxAgeMs: 30 * 24 * 3600_000,
  pullExpiresMs: 5_000,
  errorNakDelayMs: 5_000,
};

/**
 * The JetStream work queue of solve jobs. Every search instance pulls from one durable consumer, so each job
 * goes to one worker at a time; a job whose worker dies is redelivered after the ack wait (while a handler
 * runs, the queue keeps telling JetStream it is in progress). The message only names the job: the database
 * row holds its options and state.
 */
export class SolveJobQueue {
  readonly stream: string;
  readonly subject: string;
  readonly consumerName: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  private readonly backoffMs: number[];
  private readonly duplicateWindowMs: number;
  readonly deadLetterSubject: string;
  readonly deadLetterStream: string;
  private readonly deadLetterMaxAgeMs: number;
  private readonly pullExpiresMs: number;
  private readonly js: JetStreamClient;
  private consumerReady: Promise<Consumer> | null = null;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    options: SolveJobQueueOptions,
  ) {
    this.stream = options.stream ?? JETSTREAM_STREAMS.SolveJobQueued;
    this.subject = options.subject ?? EVENT_SUBJECTS.SolveJobQueued;
    this.consumerName = options.consumer ?? DEFAULTS.consumer;
    this.ackWaitMs = options.ackWaitMs ?? DEFAULTS.ackWaitMs;
    this.maxDeliver = options.maxDeliver ?? DEFAULTS.maxDeliver;
    this.backoffMs = options.backoffMs ?? [];
    this.duplicateWindowMs = options.duplicateWindowMs ?? DEFAULTS.duplicateWindowMs;
    this.deadLetterSubject = options.deadLetterSubject ?? EVENT_SUBJECTS.MessageDeadLettered;
    this.deadLetterStream = options.deadLetterStream ?? JETSTREAM_STREAMS.MessageDeadLettered;
    this.deadLetterMaxAgeMs = options.deadLetterMaxAgeMs ?? DEFAULTS.deadLetterMaxAgeMs;
    this.pullExpiresMs = Math.max(1000, options.pullExpiresMs ?? DEFAULTS.pullExpiresMs);
    if (!Number.isInteger(this.maxDeliver) || this.maxDeliver < 1) throw new RangeError('maxDeliver must be an integer >= 1');
    if (this.ackWaitMs < 1000) throw new RangeError('ackWaitMs must be at least 1000');
    if (this.backoffMs.length > this.maxDeliver) throw new RangeError('backoffMs may not have more entries than maxDeliver');
    this.js = jetstream(nc);
  }

  /**
   * Opens the queue, creating its stream and the dead-letter stream when they do not exist yet (the consumer is
   * made by the first consume()).
   */
  static async open(nc: NatsConnection, options: SolveJobQueueOptions = {}): Promise<SolveJobQueue> {
    const queue = new SolveJobQueue(nc, await jetstreamManager(nc), options);
    await queue.ensureStream();
    await queue.ensureDeadLetterStream();
    return queue;
  }

  /** Dead letters are kept (limits retention, for `deadLetterMaxAgeMs`) so an operator can read and replay them. */
  private async ensureDeadLetterStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.deadLetterStream);
      return;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    try {
      await this.jsm.streams.add({
        name: this.deadLetterStream,
        subjects: [this.deadLetterSubject],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: nanos(this.deadLetterMaxAgeMs),
      });
    } catch (error) {
      await this.jsm.streams.info(this.deadLetterStream).catch(() => {
        throw error;
      });
    }
  }

  private async ensureStream(): Promise<void> {
    try {
      const info = await this.jsm.streams.info(this.stream);
      if (info.config.retention !== RetentionPolicy.Workqueue) {
        throw new JobMessagingError(
          JobMessagingErrorCode.QueueMisconfigured,
          `stream ${this.stream} exists with retention ${info.config.retention}; the solve-job queue needs workqueue`,
        );
      }
      return;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    try {
      await this.jsm.streams.add({
        name: this.stream,
        subjects: [this.subject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: nanos(this.duplicateWindowMs),
      });
    } catch (error) {
      // Another instance made it at the same moment: fine as long as it exists now.
      await this.jsm.streams.info(this.stream).catch(() => {
        throw error;
      });
    }
  }

  /** Creates the shared durable consumer, or brings its ack wait / max deliver / backoff to this queue's. */
  private ensureConsumer(): Promise<Consumer> {
    this.consumerReady ??= (async () => {
      const config: Partial<ConsumerConfig> = {
        durable_name: this.consumerName,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: this.subject,
        ack_wait: nanos(this.ackWaitMs),
        // One delivery past the handlers' last, so a job whose worker died on its last try is dead-lettered.
        max_deliver: this.maxDeliver + 1,
        ...(this.backoffMs.length > 0 ? { backoff: this.backoffMs.map((ms) => nanos(ms)) } : {}),
      };
      try {
        const existing = await this.jsm.consumers.info(this.stream, this.consumerName);
        const c = existing.config;
        const sameBackoff = JSON.stringify(c.backoff ?? []) === JSON.stringify(config.backoff ?? []);
        if (c.ack_wait !== config.ack_wait || c.max_deliver !== config.max_deliver || !sameBackoff) {
          await this.jsm.consumers.update(this.stream, this.consumerName, {
            ack_wait: config.ack_wait,
            max_deliver: config.max_deliver,
            backoff: config.backoff ?? [],
          });
        }
      } catch (error) {
        if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
        await this.jsm.consumers.add(this.stream, config);
      }
      return this.js.consumers.get(this.stream, this.consumerName);
    })().catch((error: unknown) => {
      this.consumerReady = null;
      throw error;
    });
    return this.consumerReady;
  }

  /**
   * Puts a job on the queue. The job id is the message id, so enqueueing the same job again within the
   * duplicate window stores nothing (`duplicate: true`).
   */
  async enqueue(jobId: string, correlationId: string): Promise<{ duplicate: boolean; seq: number }> {
    assertJobId(jobId);
    const h = correlationHeaders(correlationId);
    const payload = JSON.stringify(searchV1.SolveJobQueued.toJSON({ jobId }));
    try {
      const ack = await this.js.publish(this.subject, payload, { msgID: jobId, headers: h, expect: { streamName: this.stream } });
      return { duplicate: ack.duplicate, seq: ack.seq };
    } catch (error) {
      throw new JobMessagingError(JobMessagingErrorCode.EnqueueFailed, `job ${jobId} was not queued: ${errorMessage(error)}`);
    }
  }

  /** How often a running handler's message is marked in progress: well within the shortest ack wait. */
  private get heartbeatMs(): number {
    return Math.max(500, Math.floor(Math.min(this.ackWaitMs, ...this.backoffMs) / 3));
  }

  /** Messages waiting plus those delivered and not yet acked. */
  async depth(): Promise<{ pending: number; inFlight: number }> {
    await this.ensureConsumer();
    const info = await this.jsm.consumers.info(this.stream, this.consumerName);
    return { pending: info.num_pending, inFlight: info.num_ack_pending };
  }

  /**
   * Pulls jobs and hands each to `handler`, `concurrency` at a time, until `signal` aborts. Each handler runs
   * with the job's correlation id in scope. A payload that breaks the contract is terminated and
   * dead-lettered; a handler that throws gets its message nakked (terminated on its last delivery).
   */
  async consume(handler: SolveJobHandler, options: ConsumeOptions): Promise<void> {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
    const consumer = await this.ensureConsumer();
    await Promise.all(Array.from({ length: options.concurrency }, () => this.pullLoop(consumer, handler, options)));
  }

  private async pullLoop(consumer: Consumer, handler: SolveJobHandler, options: ConsumeOptions): Promise<void> {
    const { signal } = options;
    while (!signal.aborted) {
      let msg: JsMsg | null;
      try {
        msg = await this.pullOne(consumer, signal);
      } catch (error) {
        if (signal.aborted) break;
        options.onEvent?.({ kind: 'pull_failed', error });
        await sleep(1000, signal);
        continue;
      }
      if (msg === null) continue;
      await this.deliver(msg, handler, options);
    }
  }

  /**
   * One pull request for one message. On abort the pull is cancelled: the client drops its interest, and
   * JetStream does not deliver to a pull request nobody listens to, so the next job stays queued for another
   * instance (its delivery count untouched).
   */
  private async pullOne(consumer: Consumer, signal: AbortSignal): Promise<JsMsg | null> {
    const batch = await consumer.fetch({ max_messages: 1, expires: this.pullExpiresMs });
    const stop = (): void => batch.stop();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    try {
      for await (const msg of batch) {
        if (!signal.aborted) return msg;
        // It was already on its way when we stopped: hand it back at once.
        settleQuietly(() => msg.nak());
      }
      return null;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private async deliver(msg: JsMsg, handler: SolveJobHandler, options: ConsumeOptions): Promise<void> {
    const correlationId = acceptCorrelationId(msg.headers?.get(CORRELATION_HEADER));
    await runWithCorrelation(correlationId, async () => {
      let jobId: string;
      try {
        jobId = decodeMessage(searchV1.SolveJobQueued, JSON.parse(new TextDecoder().decode(msg.data)) as unknown, 'SolveJobQueued').jobId;
        assertJobId(jobId);
      } catch (error) {
        await this.deadLetter(msg, null, `malformed payload: ${errorMessage(error)}`, correlationId, options);
        return;
      }
      const deliveryCount = msg.info.deliveryCount;
      const delivery: SolveJobDelivery = {
        jobId,
        correlationId,
        deliveryCount,
        maxDeliver: this.maxDeliver,
        lastDelivery: deliveryCount >= this.maxDeliver,
        working: () => settleQuietly(() => msg.working()),
      };
      if (deliveryCount > this.maxDeliver) {
        await options.onExhausted?.(delivery).catch((error: unknown) => options.onEvent?.({ kind: 'handler_threw', jobId, error }));
        await this.deadLetter(msg, jobId, `not settled after ${this.maxDeliver} deliveries`, correlationId, options);
        return;
      }
      const heartbeat = setInterval(() => settleQuietly(() => msg.working()), this.heartbeatMs);
      let disposition: SolveJobDisposition;
      try {
        disposition = await handler(delivery);
      } catch (error) {
        options.onEvent?.({ kind: 'handler_threw', jobId, error });
        disposition = delivery.lastDelivery
          ? { action: 'term', reason: `handler failed on the last delivery: ${errorMessage(error)}` }
          : { action: 'nak', delayMs: options.errorNakDelayMs ?? DEFAULTS.errorNakDelayMs };
      } finally {
        clearInterval(heartbeat);
      }
      try {
        switch (disposition.action) {
          case 'ack':
            // Wait for the server: a lost ack would redeliver a finished job (harmless, but wasted work).
            await msg.ackAck();
            break;
          case 'nak':
            msg.nak(Math.max(0, disposition.delayMs));
            break;
          case 'term':
            await this.deadLetter(msg, jobId, disposition.reason, correlationId, options);
            break;
          case 'abandon':
            break;
        }
      } catch (error) {
        options.onEvent?.({ kind: 'settle_failed', jobId, error });
      }
    });
  }

  /**
   * Stores the dead letter in its stream, then terminates the message. When JetStream does not store it, the
   * message is not terminated (it comes back after the ack wait, or stays in the stream past its last delivery):
   * a dead letter is never lost in between.
   */
  private async deadLetter(msg: JsMsg, jobId: string | null, reason: string, correlationId: string, options: ConsumeOptions): Promise<void> {
    const h = correlationHeaders(correlationId);
    const event = searchV1.MessageDeadLettered.toJSON({ subject: msg.subject, reason, payload: Buffer.from(msg.data), correlationId });
    try {
      await this.js.publish(this.deadLetterSubject, JSON.stringify(event), { headers: h, expect: { streamName: this.deadLetterStream } });
      // No reason on the wire: servers before 2.10 ignore a "+TERM <reason>" (the dead letter carries it).
      msg.term();
      await this.nc.flush();
      options.onEvent?.({ kind: 'dead_lettered', jobId, reason });
    } catch (error) {
      options.onEvent?.({ kind: 'settle_failed', jobId, error });
    }
  }

  /** The dead letters kept, oldest first (up to `max`): what an operator reads before replaying or dropping them. */
  async deadLetters(max = 100): Promise<searchV1.MessageDeadLettered[]> {
    const info = await this.jsm.streams.info(this.deadLetterStream);
    const letters: searchV1.MessageDeadLettered[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && letters.length < max; seq++) {
      const stored = await this.jsm.streams.getMessage(this.deadLetterStream, { seq }).catch(() => null);
      if (stored) letters.push(searchV1.MessageDeadLettered.fromJSON(JSON.parse(new TextDecoder().decode(stored.data))));
    }
    return letters;
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function settleQuietly(settle: () => void): void {
  try {
    settle();
  } catch {
    // The connection closed first: JetStream redelivers after the ack wait.
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
