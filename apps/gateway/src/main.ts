#!/usr/bin/env node
import { ConfigError, loadConfig, redactConfig, runServiceMain } from '@rstar/service-kit';
import { Logger } from 'nestjs-pino';
import { runKeysCli } from './cli/keys.command.js';
import { createGatewayApp } from './gateway.app.js';
import { GatewayConfig } from './gateway.config.js';

// `main.js keys …` is the operator CLI (API keys); anything else starts the gateway.
if (process.argv[2] === 'keys') {
  const output = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };
  runKeysCli(process.argv.slice(2), process.env, output)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof ConfigError ? error.message : `gateway: ${String(error)}`}\n`);
      process.exitCode = 2;
    });
} else {
  runServiceMain('gateway', async () => {
    const config = loadConfig('gateway', GatewayConfig);
    const app = await createGatewayApp(config);
    app.enableShutdownHooks();
    await app.listen(config.RSTAR_HTTP_PORT, config.RSTAR_HTTP_HOST);
    const logger = app.get(Logger);
    const shown = redactConfig(config);
    // A database URL may carry a password.
    shown['RSTAR_DATABASE_URL'] = config.RSTAR_DATABASE_URL.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
    logger.log({ config: shown }, 'configuration');
    logger.log(`gateway listening on ${await app.getUrl()}/graphql`);
    return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
  });
}
