import { randomUUID } from 'node:crypto';
import type { OutboxMessageRecord, OutboxStore } from '@rstar/persistence';
import { describe, type LifecycleLogger } from './job-lifecycle.js';

/** Where the relay publishes (Kafka in the deployment); resolves once the broker has the record. */
export interface MessageSink {
  send(message: OutboxMessageRecord): Promise<unknown>;
}

export interface OutboxRelayOptions {
  /** Messages read per query. */
  batchSize?: number;
  /** How often the outbox is read when nobody nudges the relay. */
  pollMs?: number;
  /** Pause after a failed publish before the next try (the broker is away). */
  retryDelayMs?: number;
  /** The name this relay leases messages under (one per process). */
  holder?: string;
  /** How long a leased message is this relay's alone; a relay that dies lets it run out. */
  leaseMs?: number;
  logger?: LifecycleLogger;
}

const DEFAULTS = { batchSize: 50, pollMs: 5_000, retryDelayMs: 2_000, leaseMs: 60_000 };

/**
 * Publishes what finished jobs left in the outbox, oldest first, and stamps each published; relays of several
 * processes share the outbox by leasing messages, so each is normally sent once. A job's message is
 * written in the transaction that finishes the job, so none is lost when the broker is away or the process dies
 * between the two: the message waits and the next relay (this process on its next pass, or another instance)
 * sends it. A crash between the send and the stamp sends it again: consumers must be idempotent (curation is,
 * by job id).
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retryDelayMs: number;
  private readonly logger: LifecycleLogger;
  private readonly holder: string;
  private readonly leaseMs: number;
  private wake: (() => void) | null = null;
  private nudged = false;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly sink: MessageSink,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULTS.batchSize;
    this.pollMs = options.pollMs ?? DEFAULTS.pollMs;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULTS.retryDelayMs;
    this.logger = options.logger ?? { warn: () => undefined };
    this.holder = options.holder ?? `relay-${randomUUID()}`;
    this.leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be an integer >= 1');
  }

  /**
   * Publishes every pending message; stops at the first that fails (noted on the message, so order is kept
   * and the broker is not hammered). Returns how many were published and whether one failed.
   */
  async drain(): Promise<{ published: number; failed: boolean }> {
    let published = 0;
    for (;;) {
      const batch = await this.outbox.lease(this.batchSize, this.holder, this.leaseMs);
      for (const message of batch) {
        try {
          await this.sink.send(message);
        } catch (error) {
          await this.outbox.markFailed(message.id, describe(error)).catch(() => undefined);
          this.logger.warn(`outbox message ${message.id} (${message.topic}, key ${message.key}) not published: ${describe(error)}`);
          return { published, failed: true };
        }
        await this.outbox.markPublished(message.id);
        published++;
      }
      if (batch.length < this.batchSize) return { published, failed: false };
    }
  }

  /** A message was just written: drain now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Drains until `signal` aborts: at every nudge, every `pollMs`, and `retryDelayMs` after a failure. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.nudged = false;
      let pause = this.pollMs;
      try {
        const { failed } = await this.drain();
        if (failed) pause = this.retryDelayMs;
      } catch (error) {
        // The database is away: try again later, like a failed publish.
        this.logger.warn(`outbox not read: ${describe(error)}`);
        pause = this.retryDelayMs;
      }
      if (this.nudged && pause === this.pollMs) continue;
      // After a failure only the retry delay ends the pause: new messages must not hammer a broker that is away.
      await this.sleep(pause, signal, pause === this.pollMs);
    }
  }

  private sleep(ms: number, signal: AbortSignal, wakeOnNudge: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeOnNudge) this.wake = done;
    });
  }
}
