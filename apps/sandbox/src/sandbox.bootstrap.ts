import type { INestApplication } from '@nestjs/common';
import { registerRpcReadiness } from '@rstar/messaging';
import { bootstrapService, ReadinessRegistry, redactConfig } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { SandboxServiceConfig } from './sandbox.config.js';

/** Starts the sandbox service: health on HTTP, SandboxService and GraderService on NATS in the `sandbox` queue group. */
export async function startSandboxService(config: SandboxServiceConfig): Promise<INestApplication> {
  const app = await bootstrapService({ name: 'sandbox', module: AppModule.forRoot(config), config, rpcQueue: 'sandbox' });
  registerRpcReadiness(app, app.get(ReadinessRegistry));
  app.get(Logger).log(`configuration: ${JSON.stringify(redactConfig(config))}`);
  return app;
}
