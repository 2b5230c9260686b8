import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { correlationMiddleware } from './logging.js';
import { ConfigError, type BaseServiceConfig } from './service-config.js';

export interface ServiceBootstrapOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  config: BaseServiceConfig;
  /** Serve the module's @MessagePattern handlers over NATS, sharing this queue group with other instances. */
  rpcQueue?: string;
  /** Last wiring before the service listens (GraphQL middleware, body limits…). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: JSON logs, the HTTP server (health, and whatever the module serves), the NATS request/reply
 * transport when asked, and shutdown hooks so SIGTERM drains instead of dropping work.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<INestApplication> {
  const { config } = options;
  const app = await NestFactory.create(options.module, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.use(correlationMiddleware);
  app.enableShutdownHooks();
  if (options.rpcQueue) {
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.NATS,
        // Reconnect for ever (as connectNats does): a broker restart must not leave the service deaf for good.
        options: { servers: config.RSTAR_NATS_URL.split(','), queue: options.rpcQueue, name: options.name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 },
      },
      { inheritAppConfig: true },
    );
  }
  await options.configure?.(app);
  await app.startAllMicroservices();
  await app.listen(config.RSTAR_HTTP_PORT, config.RSTAR_HTTP_HOST);
  app.get(Logger).log(`${options.name} listening on ${await app.getUrl()}`);
  return app;
}

/**
 * The `main()` of a service: a bad environment prints every problem and exits 2; any other start-up failure
 * exits 1; a shutdown that takes longer than `shutdownTimeoutS` is cut short.
 */
export function runServiceMain(name: string, start: () => Promise<{ shutdownTimeoutS: number }>): void {
  start()
    .then(({ shutdownTimeoutS }) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          setTimeout(() => {
            process.stderr.write(`${name}: shutdown took longer than ${shutdownTimeoutS}s; exiting\n`);
            process.exit(1);
          }, shutdownTimeoutS * 1000).unref();
        });
      }
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
