import { Logger } from '@nestjs/common';
import { OutboxRelay } from '@rstar/job-lifecycle';
import {
  connectNats,
  NatsGraderClient,
  NatsPolicyClient,
  NatsPpmClient,
  NatsRpcClient,
  NatsSandboxClient,
  SolveJobQueue,
  SolveProgressBus,
  TrajectoryPublisher,
  type NatsConnection,
} from '@rstar/messaging';
import { createDataSource, migrate, openStores } from '@rstar/persistence';
import type { SearchConfig } from './search.config.js';
import type { OpenedSearchPorts } from './search.ports.js';

/** Asks the policy service once which model it serves; a failed lookup is tried again on the next job. */
function policyModelLookup(configured: string, policy: NatsPolicyClient): () => Promise<string> {
  let known: string | null = configured === '' ? null : configured;
  return async () => {
    if (known !== null) return known;
    try {
      const { models } = await policy.listModels(AbortSignal.timeout(5_000));
      known = models[0] ?? null;
    } catch {
      // The record says "unknown" rather than failing a finished search over a name.
    }
    return known ?? 'unknown';
  };
}

/**
 * Opens what the worker needs, from the config: the database (migrated only with RSTAR_DATABASE_MIGRATE; the
 * gateway owns the schema), NATS with the JetStream queue, the progress bus and the service clients, and the
 * Kafka producer (its topic created when missing). Whatever was opened is closed again if a later step fails.
 */
export async function openSearchPorts(config: SearchConfig): Promise<OpenedSearchPorts> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const dataSource = createDataSource(config.RSTAR_DATABASE_URL);
    if (config.RSTAR_DATABASE_MIGRATE) await migrate(dataSource);
    else await dataSource.initialize();
    closers.push(() => dataSource.destroy());
    const stores = openStores(dataSource);

    const nc: NatsConnection = await connectNats(config.RSTAR_NATS_URL, `search ${config.RSTAR_WORKER_ID}`);
    closers.push(() => nc.drain());
    const queue = await SolveJobQueue.open(nc, { ackWaitMs: config.RSTAR_JOB_ACK_WAIT_S * 1000, maxDeliver: config.RSTAR_JOB_MAX_DELIVER });
    const progress = new SolveProgressBus(nc);

    const kafkaLogger = new Logger('Kafka');
    const trajectories = new TrajectoryPublisher({
      brokers: config.RSTAR_KAFKA_BROKERS.split(','),
      clientId: 'rstar-search',
      partitions: config.RSTAR_KAFKA_PARTITIONS,
      log: (level, message) => (level === 'error' ? kafkaLogger.error(message) : level === 'warn' ? kafkaLogger.warn(message) : kafkaLogger.log(message)),
    });
    await trajectories.connect();
    closers.push(() => trajectories.close());
    const outbox = new OutboxRelay(stores.outbox, trajectories, { logger: new Logger('OutboxRelay') });

    const rpc = new NatsRpcClient(nc);
    const policy = new NatsPolicyClient(rpc, { timeoutMs: config.RSTAR_POLICY_TIMEOUT_S * 1000 });
    return {
      jobs: stores.jobs,
      queue,
      progress,
      outbox,
      clients: {
        policy,
        sandbox: new NatsSandboxClient(rpc),
        grader: new NatsGraderClient(rpc),
        ppm: config.RSTAR_PPM_ENABLED ? new NatsPpmClient(rpc) : null,
      },
      policyModel: policyModelLookup(config.RSTAR_POLICY_MODEL_NAME, policy),
      probes: {
        database: async () => {
          await dataSource.query('SELECT 1');
        },
        nats: async () => {
          if (nc.isClosed() || nc.isDraining()) throw new Error('connection closed');
          await nc.flush();
        },
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
