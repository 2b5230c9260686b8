import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HealthModule, serviceLoggerModule } from '@rstar/service-kit';
import { openSearchPorts } from './open-search-ports.js';
import { SearchConfig } from './search.config.js';
import { SEARCH_PORTS, type OpenedSearchPorts } from './search.ports.js';
import { SearchWorkerService } from './search-worker.service.js';

@Module({})
export class SearchModule implements OnApplicationShutdown {
  constructor(@Inject(SEARCH_PORTS) private readonly ports: OpenedSearchPorts) {}

  /** `ports`: given by tests; otherwise opened from the config (database, NATS, Kafka). */
  static forRoot(config: SearchConfig, ports?: OpenedSearchPorts): DynamicModule {
    return {
      module: SearchModule,
      imports: [serviceLoggerModule('search', config.RSTAR_LOG_LEVEL), HealthModule],
      providers: [
        { provide: SearchConfig, useValue: config },
        ports ? { provide: SEARCH_PORTS, useValue: ports } : { provide: SEARCH_PORTS, useFactory: () => openSearchPorts(config) },
        SearchWorkerService,
      ],
    };
  }

  /** After the worker has handed its jobs back (beforeApplicationShutdown): close Kafka, NATS, the database. */
  async onApplicationShutdown(): Promise<void> {
    await this.ports.close();
  }
}
