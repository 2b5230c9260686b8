import { Kafka, logLevel, type Consumer, type KafkaMessage, type LogEntry } from 'kafkajs';
import { decodeMessage, KAFKA_TOPICS, searchV1 } from '@rstar/contracts';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelation } from '@rstar/service-kit';
import { MESSAGE_TYPE_HEADER, TRAJECTORY_COMPLETED_TYPE, type KafkaLogLevel } from './trajectory-publisher.js';

export interface TrajectoryConsumerOptions {
  brokers: string[];
  /** Consumer group: every instance of one service shares it, so each record is handled by one of them. */
  groupId: string;
  clientId?: string;
  /** Default the contract's topic, trajectories.v1. */
  topic?: string;
  /** Read a new group's topic from its first record (default) rather than only what arrives from now on. */
  fromBeginning?: boolean;
  connectionTimeoutMs?: number;
  /** Pause before a record whose handler failed is tried again. */
  retryDelayMs?: number;
  log?: (level: KafkaLogLevel, message: string, fields: Record<string, unknown>) => void;
}

/** A record that is not a TrajectoryCompleted of this contract: skipped (it would fail on every try). */
export interface SkippedRecord {
  partition: number;
  offset: string;
  reason: string;
}

export type TrajectoryHandler = (event: searchV1.TrajectoryCompleted, meta: { partition: number; offset: string; correlationId: string }) => Promise<void>;

const KAFKA_LEVELS: Record<KafkaLogLevel, logLevel> = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

/**
 * Reads trajectories.v1 in a consumer group. A record's offset is committed only after its handler resolved, so
 * a consumer that dies re-reads what it had not finished: delivery is at least once, and handlers must be
 * idempotent. A handler that throws is retried after a pause, in order, for as long as it fails (the records
 * after it wait); a record that breaks the contract is skipped and reported.
 */
export class TrajectoryConsumer {
  readonly topic: string;
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;

  constructor(private readonly options: TrajectoryConsumerOptions) {
    this.topic = options.topic ?? KAFKA_TOPICS.TrajectoryCompleted;
    const sink = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'rstar-curation',
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      logLevel: sink ? KAFKA_LEVELS.warn : logLevel.NOTHING,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...fields } = entry.log;
        sink?.(entry.level <= logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'info', `kafka ${entry.namespace}: ${message}`, fields);
      },
    });
  }

  /**
   * Joins the group and hands each record to `handler` until stop(). `onSkipped` hears of records that break
   * the contract; `onRetry` of handler failures.
   */
  async start(handler: TrajectoryHandler, hooks: { onSkipped?: (record: SkippedRecord) => void; onRetry?: (error: unknown, record: { partition: number; offset: string }) => void } = {}): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, retry: { retries: Number.MAX_SAFE_INTEGER } });
    await consumer.connect();
    this.consumer = consumer;
    await consumer.subscribe({ topic: this.topic, fromBeginning: this.options.fromBeginning ?? true });
    const retryDelayMs = this.options.retryDelayMs ?? 2000;
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const { partition, message } = payload;
        const decoded = decodeRecord(message);
        if (!decoded.ok) {
          hooks.onSkipped?.({ partition, offset: message.offset, reason: decoded.reason });
        } else {
          const correlationId = acceptCorrelationId(header(message, CORRELATION_HEADER));
          for (;;) {
            try {
              await runWithCorrelation(correlationId, () => handler(decoded.event, { partition, offset: message.offset, correlationId }));
              break;
            } catch (error) {
              if (this.consumer !== consumer) throw error; // stopping: the record stays uncommitted for the next consumer
              hooks.onRetry?.(error, { partition, offset: message.offset });
              await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
              await payload.heartbeat();
            }
          }
        }
        await consumer.commitOffsets([{ topic: this.topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
  }

  /** Leaves the group; a record in flight is not committed and is read again by whoever takes the partition. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }
}

function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** A record as the contract's message, or why it is not one. */
export function decodeRecord(message: Pick<KafkaMessage, 'value' | 'headers'>): { ok: true; event: searchV1.TrajectoryCompleted } | { ok: false; reason: string } {
  const type = header(message as KafkaMessage, MESSAGE_TYPE_HEADER);
  if (type !== undefined && type !== TRAJECTORY_COMPLETED_TYPE) return { ok: false, reason: `a ${type} record, not ${TRAJECTORY_COMPLETED_TYPE}` };
  if (!message.value) return { ok: false, reason: 'an empty record' };
  try {
    return { ok: true, event: decodeMessage(searchV1.TrajectoryCompleted, JSON.parse(message.value.toString('utf8')) as unknown, 'TrajectoryCompleted') };
  } catch (error) {
    return { ok: false, reason: `malformed payload: ${error instanceof Error ? error.message : String(error)}` };
  }
}
