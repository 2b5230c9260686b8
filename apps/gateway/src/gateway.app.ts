import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { correlationMiddleware } from '@rstar/service-kit';
import type { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import type { GatewayPorts } from './gateway.ports.js';
import { useJsonBodyLimit } from './limits/body-limit.js';
import { openGatewayPorts, type GatewayMessagingOptions } from './open-gateway-ports.js';

export interface GatewayAppOptions {
  /** Ports to use instead of opening them from the config (test doubles, or ports the caller shares). */
  ports?: Partial<GatewayPorts>;
  /** The JetStream stream and progress subject (tests isolate themselves); default: the contract's. */
  messaging?: GatewayMessagingOptions;
}

/**
 * The gateway as a Nest application, initialised but not listening: `app.getHttpServer()` serves GraphQL on
 * /graphql (HTTP, and graphql-ws once listening) and /healthz, /readyz. It opens the database (running the
 * migrations when RSTAR_DATABASE_MIGRATE) and NATS unless `options.ports` supplies them; `app.close()` lets go
 * of them. The caller listens (`app.listen(port, host)`) and enables shutdown hooks if it wants signals handled.
 */
export async function createGatewayApp(config: GatewayConfig, options: GatewayAppOptions = {}): Promise<NestExpressApplication> {
  const ports = await openGatewayPorts(config, options.ports ?? {}, options.messaging ?? {});
  try {
    const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, ports), {
      bufferLogs: true,
      abortOnError: false,
      // Registered below with the gateway's limit and error shape instead of Nest's defaults.
      bodyParser: false,
    });
    app.useLogger(app.get(Logger));
    app.use(correlationMiddleware);
    useJsonBodyLimit(app, config.RSTAR_MAX_BODY_BYTES);
    await app.init();
    return app;
  } catch (error) {
    await ports.close();
    throw error;
  }
}
