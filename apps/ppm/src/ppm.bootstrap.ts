import type { INestApplication } from '@nestjs/common';
import { registerRpcReadiness } from '@rstar/messaging';
import { bootstrapService, ReadinessRegistry, redactConfig } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { PpmConfig } from './ppm.config.js';

/** Starts the PPM service: health on HTTP, PpmService on NATS in the `ppm` queue group. */
export async function startPpmService(config: PpmConfig): Promise<INestApplication> {
  const app = await bootstrapService({ name: 'ppm', module: AppModule.forRoot(config), config, rpcQueue: 'ppm' });
  registerRpcReadiness(app, app.get(ReadinessRegistry));
  app.get(Logger).log(`configuration: ${JSON.stringify(redactConfig(config))}`);
  return app;
}
