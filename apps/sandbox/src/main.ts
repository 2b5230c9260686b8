import 'reflect-metadata';
import { loadConfig, runServiceMain } from '@rstar/service-kit';
import { SandboxServiceConfig } from './sandbox.config.js';
import { startSandboxService } from './sandbox.bootstrap.js';

runServiceMain('sandbox', async () => {
  const config = loadConfig('sandbox', SandboxServiceConfig);
  await startSandboxService(config);
  return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
});
