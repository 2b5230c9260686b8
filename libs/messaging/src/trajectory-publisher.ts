import { CompressionTypes, Kafka, logLevel, Partitioners, type LogEntry, type Producer } from 'kafkajs';
import { KAFKA_TOPICS, searchV1 } from '@rstar/contracts';
import { CORRELATION_HEADER, currentCorrelationId, newCorrelationId } from '@rstar/service-kit';
import { JobMessagingError, JobMessagingErrorCode } from './solve-job-queue.js';

/** Kafka header naming the record's contract, so a consumer can refuse what it does not understand. */
export const MESSAGE_TYPE_HEADER = 'x-message-type';
export const TRAJECTORY_COMPLETED_TYPE = `${searchV1.protobufPackage}.TrajectoryCompleted`;

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface TrajectoryPublisherOptions {
  /** host:port of the bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  /** Default the contract's topic, trajectories.v1. */
  topic?: string;
  /** Partitions of the topic when connect() creates it (records of one problem stay in one partition). */
  partitions?: number;
  /** Replicas when connect() creates the topic; the broker's default when unset. */
  replicationFactor?: number;
  /** Largest record the topic accepts (a tree with many nodes is large even compressed). */
  maxMessageBytes?: number;
  /** Retries of a failed send before publish() gives up. */
  retries?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Where the Kafka client's own log lines go (warnings and errors only unless `logLevel` says otherwise). */
  log?: (level: KafkaLogLevel, message: string, fields: Record<string, unknown>) => void;
  logLevel?: KafkaLogLevel;
}

const KAFKA_LEVELS: Record<KafkaLogLevel, logLevel> = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

function levelName(level: logLevel): KafkaLogLevel {
  return level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
}

/**
 * Publishes every finished search's tree on Kafka (topic trajectories.v1) for curation, keyed by problem id
 * (the job id when the problem is in no dataset) so one problem's trees stay in order on one partition.
 * The producer is idempotent and waits for every in-sync replica: a record acknowledged is not lost or doubled
 * by the producer's retries.
 */
export class TrajectoryPublisher {
  readonly topic: string;
  private readonly kafka: Kafka;
  private producer: Producer | null = null;

  constructor(private readonly options: TrajectoryPublisherOptions) {
    this.topic = options.topic ?? KAFKA_TOPICS.TrajectoryCompleted;
    const sink = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'rstar',
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: sink ? KAFKA_LEVELS[options.logLevel ?? 'warn'] : logLevel.NOTHING,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...fields } = entry.log;
        sink?.(levelName(entry.level), `kafka ${entry.namespace}: ${message}`, fields);
      },
    });
  }

  /** Creates the topic when it does not exist, then connects the producer. */
  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: this.topic,
              numPartitions: this.options.partitions ?? 6,
              ...(this.options.replicationFactor === undefined ? {} : { replicationFactor: this.options.replicationFactor }),
              configEntries: [{ name: 'max.message.bytes', value: String(this.options.maxMessageBytes ?? 8 * 1024 * 1024) }],
            },
          ],
        });
      }
    } finally {
      await admin.disconnect();
    }
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: this.options.retries ?? 8 },
    });
    await producer.connect();
    this.producer = producer;
  }

  /** Publishes one finished tree; resolves once the brokers have it. */
  publish(event: searchV1.TrajectoryCompleted, correlationId = currentCorrelationId() ?? newCorrelationId()): Promise<{ partition: number; offset: string }> {
    return this.send(trajectoryRecord(event, correlationId, this.topic));
  }

  /**
   * Publishes one record as it was encoded (a finished tree kept in the outbox); resolves once the brokers
   * have it.
   */
  async send(record: KafkaRecord): Promise<{ partition: number; offset: string }> {
    if (!this.producer) throw new JobMessagingError(JobMessagingErrorCode.KafkaNotConnected, 'the trajectory publisher is not connected');
    try {
      const [meta] = await this.producer.send({
        topic: record.topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: [{ key: record.key, value: record.payload, headers: record.headers }],
      });
      return { partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? '-1' };
    } catch (error) {
      throw new JobMessagingError(
        JobMessagingErrorCode.KafkaPublishFailed,
        `record ${record.key} not published on ${record.topic}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect();
  }
}

/** A Kafka record, encoded: what the outbox keeps until it is published. */
export interface KafkaRecord {
  topic: string;
  key: string;
  /** The value: the message as JSON text. */
  payload: string;
  headers: Record<string, string>;
}

/** A finished tree as its trajectories.v1 record: keyed by problem, JSON by the contract, typed and correlated in headers. */
export function trajectoryRecord(event: searchV1.TrajectoryCompleted, correlationId: string, topic: string = KAFKA_TOPICS.TrajectoryCompleted): KafkaRecord {
  return {
    topic,
    key: trajectoryKey(event),
    payload: JSON.stringify(searchV1.TrajectoryCompleted.toJSON(event)),
    headers: { [CORRELATION_HEADER]: correlationId, [MESSAGE_TYPE_HEADER]: TRAJECTORY_COMPLETED_TYPE },
  };
}

/** The record key: the problem id, else the job id. */
export function trajectoryKey(event: Pick<searchV1.TrajectoryCompleted, 'problemId' | 'jobId'>): string {
  return event.problemId || event.jobId;
}
