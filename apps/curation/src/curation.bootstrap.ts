import type { INestApplication } from '@nestjs/common';
import { bootstrapService, redactConfig } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import type { CurationConfig } from './curation.config.js';
import { CurationModule } from './curation.module.js';
import type { OpenedCurationPorts } from './curation.ports.js';

/** Starts the curation service: health on HTTP, finished trees from Kafka into the database. */
export async function startCurationService(config: CurationConfig, ports?: OpenedCurationPorts): Promise<INestApplication> {
  const app = await bootstrapService({ name: 'curation', module: CurationModule.forRoot(config, ports), config });
  app.get(Logger).log(`configuration: ${JSON.stringify(redactConfig(config))}`);
  return app;
}
