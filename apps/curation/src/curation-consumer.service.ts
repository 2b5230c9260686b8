import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@rstar/service-kit';
import { CurationConfig } from './curation.config.js';
import { CURATION_PORTS, type CurationPorts } from './curation.ports.js';
import { TrajectoryCurator } from './trajectory-curator.js';

/**
 * Consumes trajectories.v1 for as long as the service runs and curates each tree into the database. Offsets are
 * committed after a tree is stored, so a service killed mid-tree curates it again on restart (adding nothing
 * the second time).
 */
@Injectable()
export class CurationConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CurationConsumerService');
  private readonly curator: TrajectoryCurator;
  private consumerError: string | null = 'not started';

  constructor(
    @Inject(CURATION_PORTS) private readonly ports: CurationPorts,
    private readonly config: CurationConfig,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.curator = new TrajectoryCurator(ports.curation, ports.synthesisRuns, config.RSTAR_CURATION_ROUND, this.logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [name, probe] of Object.entries(this.ports.probes)) this.readiness.register(name, probe);
    this.readiness.register('trajectory-consumer', () => {
      if (this.consumerError !== null) throw new Error(this.consumerError);
    });
    await this.ports.trajectories.start(
      async (event) => {
        await this.curator.curate(event);
      },
      {
        onSkipped: (r) => this.logger.warn(`record ${r.partition}/${r.offset} skipped: ${r.reason}`),
        onRetry: (error, r) => this.logger.warn(`record ${r.partition}/${r.offset} not stored (${error instanceof Error ? error.message : String(error)}); trying again`),
      },
    );
    this.consumerError = null;
    this.logger.log(`curating trajectories.v1 (trees of synthesis runs into their round, others into round ${this.config.RSTAR_CURATION_ROUND}; group ${this.config.RSTAR_KAFKA_GROUP_ID})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.readiness.markDraining();
    this.consumerError = 'stopped';
    await this.ports.trajectories.stop();
  }
}
