import 'reflect-metadata';
import { loadConfig, runServiceMain } from '@rstar/service-kit';
import { PpmConfig } from './ppm.config.js';
import { startPpmService } from './ppm.bootstrap.js';

runServiceMain('ppm', async () => {
  const config = loadConfig('ppm', PpmConfig);
  await startPpmService(config);
  return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
});
