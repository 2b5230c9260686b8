import 'reflect-metadata';
import { loadConfig, runServiceMain } from '@rstar/service-kit';
import { startCurationService } from './curation.bootstrap.js';
import { CurationConfig } from './curation.config.js';

runServiceMain('curation', async () => {
  const config = loadConfig('curation', CurationConfig);
  await startCurationService(config);
  return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
});
