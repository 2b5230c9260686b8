import type { INestApplication } from '@nestjs/common';
import { bootstrapService, redactConfig } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import type { SearchConfig } from './search.config.js';
import { SearchModule } from './search.module.js';
import type { OpenedSearchPorts } from './search.ports.js';

/** Starts the search worker: health on HTTP, jobs from the JetStream work queue (no RPC of its own). */
export async function startSearchService(config: SearchConfig, ports?: OpenedSearchPorts): Promise<INestApplication> {
  const app = await bootstrapService({ name: 'search', module: SearchModule.forRoot(config, ports), config });
  app.get(Logger).log(`configuration: ${JSON.stringify(redactConfig(config))}`);
  return app;
}
