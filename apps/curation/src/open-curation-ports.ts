import { Logger } from '@nestjs/common';
import { TrajectoryConsumer } from '@rstar/messaging';
import { createDataSource, migrate, openStores } from '@rstar/persistence';
import type { CurationConfig } from './curation.config.js';
import type { OpenedCurationPorts } from './curation.ports.js';

/** Opens the database (migrated only with RSTAR_DATABASE_MIGRATE) and the trajectories.v1 consumer. */
export async function openCurationPorts(config: CurationConfig): Promise<OpenedCurationPorts> {
  const dataSource = createDataSource(config.RSTAR_DATABASE_URL);
  if (config.RSTAR_DATABASE_MIGRATE) await migrate(dataSource);
  else await dataSource.initialize();
  const stores = openStores(dataSource);
  const kafkaLogger = new Logger('Kafka');
  const trajectories = new TrajectoryConsumer({
    brokers: config.RSTAR_KAFKA_BROKERS.split(','),
    groupId: config.RSTAR_KAFKA_GROUP_ID,
    retryDelayMs: config.RSTAR_CURATION_RETRY_DELAY_S * 1000,
    log: (level, message) => (level === 'error' ? kafkaLogger.error(message) : level === 'warn' ? kafkaLogger.warn(message) : kafkaLogger.log(message)),
  });
  return {
    curation: stores.curation,
    synthesisRuns: stores.synthesisRuns,
    trajectories,
    probes: {
      database: async () => {
        await dataSource.query('SELECT 1');
      },
    },
    close: async () => {
      await trajectories.stop().catch(() => undefined);
      await dataSource.destroy();
    },
  };
}
