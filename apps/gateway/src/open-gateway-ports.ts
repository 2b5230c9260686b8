import {
  connectNats,
  NatsPolicyClient,
  NatsRpcClient,
  SolveJobQueue,
  SolveProgressBus,
  type NatsConnection,
  type SolveJobQueueOptions,
} from '@rstar/messaging';
import { createDataSource, migrate, openStores } from '@rstar/persistence';
import type { GatewayConfig } from './gateway.config.js';
import type { DependencyProbes, GatewayPorts, JobDispatcher, PolicyProbe, ProgressFeed } from './gateway.ports.js';

/** The ports and how to let go of them (NATS drained, database pool closed) on shutdown. */
export interface OpenedPorts extends GatewayPorts {
  close(): Promise<void>;
}

const POLICY_PROBE_TIMEOUT_MS = 2000;

/** Where the jobs and progress events travel: the contract's stream and subjects unless a test isolates itself. */
export interface GatewayMessagingOptions {
  queue?: SolveJobQueueOptions;
  progressSubject?: string;
}

/** The work queue of the search workers (JetStream): the job id is the message id, so a retry is stored once. */
export function jetStreamDispatcher(queue: SolveJobQueue): JobDispatcher {
  return {
    async enqueue(jobId, correlationId) {
      await queue.enqueue(jobId, correlationId);
    },
  };
}

/** Progress events over core NATS; subscribe() resolves once the server has the subscription. */
export function natsProgressFeed(bus: SolveProgressBus): ProgressFeed {
  return {
    async subscribe(jobId) {
      const subscription = bus.subscribe(jobId);
      await bus.flush();
      return subscription;
    },
  };
}

/**
 * Opens what the gateway needs from the config: the database (migrated when RSTAR_DATABASE_MIGRATE), NATS,
 * the JetStream queue, the progress bus and the policy client. A port given in `overrides` is used as is and
 * nothing is opened for it (NATS is not connected at all when every NATS port is given).
 */
export async function openGatewayPorts(
  config: GatewayConfig,
  overrides: Partial<GatewayPorts> = {},
  messaging: GatewayMessagingOptions = {},
): Promise<OpenedPorts> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    let stores = overrides.stores;
    let database: DependencyProbes['database'] = () => Promise.resolve();
    if (!stores) {
      const dataSource = createDataSource(config.RSTAR_DATABASE_URL);
      if (config.RSTAR_DATABASE_MIGRATE) await migrate(dataSource);
      else await dataSource.initialize();
      closers.push(() => dataSource.destroy());
      stores = openStores(dataSource);
      database = async () => {
        await dataSource.query('SELECT 1');
      };
    }

    let nc: NatsConnection | null = null;
    let nats: DependencyProbes['nats'] = () => Promise.resolve();
    if (!overrides.dispatcher || !overrides.progress || !overrides.policy) {
      const connection = await connectNats(config.RSTAR_NATS_URL, 'gateway');
      nc = connection;
      closers.push(() => connection.drain());
      nats = async () => {
        if (connection.isClosed() || connection.isDraining()) throw new Error('connection closed');
        await connection.flush();
      };
    }
    const dispatcher = overrides.dispatcher ?? jetStreamDispatcher(await SolveJobQueue.open(nc as NatsConnection, messaging.queue));
    const progress = overrides.progress ?? natsProgressFeed(
        new SolveProgressBus(nc as NatsConnection, messaging.progressSubject ? { subject: messaging.progressSubject } : {}),
      );
    let policy: PolicyProbe | undefined = overrides.policy;
    if (!policy) {
      const client = new NatsPolicyClient(new NatsRpcClient(nc as NatsConnection, { retries: 0, timeoutMs: POLICY_PROBE_TIMEOUT_MS }));
      policy = { listModels: () => client.listModels(AbortSignal.timeout(POLICY_PROBE_TIMEOUT_MS)) };
    }
    const probes = overrides.probes ?? { database, nats };
    return { stores, dispatcher, progress, policy, probes, close };
  } catch (error) {
    await close();
    throw error;
  }
}
