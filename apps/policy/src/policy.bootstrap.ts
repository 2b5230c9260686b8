import type { INestApplication } from '@nestjs/common';
import { registerRpcReadiness } from '@rstar/messaging';
import { bootstrapService, ReadinessRegistry, redactConfig } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { PolicyConfig } from './policy.config.js';

/** Starts the policy service: health on HTTP, PolicyService on NATS in the `policy` queue group. */
export async function startPolicyService(config: PolicyConfig): Promise<INestApplication> {
  const app = await bootstrapService({ name: 'policy', module: AppModule.forRoot(config), config, rpcQueue: 'policy' });
  registerRpcReadiness(app, app.get(ReadinessRegistry));
  app.get(Logger).log(`configuration: ${JSON.stringify(redactConfig(config))}`);
  return app;
}
