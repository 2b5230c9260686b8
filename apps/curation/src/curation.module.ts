import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HealthModule, serviceLoggerModule } from '@rstar/service-kit';
import { CurationConfig } from './curation.config.js';
import { CurationConsumerService } from './curation-consumer.service.js';
import { CURATION_PORTS, type OpenedCurationPorts } from './curation.ports.js';
import { openCurationPorts } from './open-curation-ports.js';

@Module({})
export class CurationModule implements OnApplicationShutdown {
  constructor(@Inject(CURATION_PORTS) private readonly ports: OpenedCurationPorts) {}

  /** `ports`: given by tests; otherwise opened from the config (database, Kafka). */
  static forRoot(config: CurationConfig, ports?: OpenedCurationPorts): DynamicModule {
    return {
      module: CurationModule,
      imports: [serviceLoggerModule('curation', config.RSTAR_LOG_LEVEL), HealthModule],
      providers: [
        { provide: CurationConfig, useValue: config },
        ports ? { provide: CURATION_PORTS, useValue: ports } : { provide: CURATION_PORTS, useFactory: () => openCurationPorts(config) },
        CurationConsumerService,
      ],
    };
  }

  /** After the consumer has left its group (beforeApplicationShutdown): close Kafka and the database. */
  async onApplicationShutdown(): Promise<void> {
    await this.ports.close();
  }
}
