import 'reflect-metadata';
import { loadConfig, runServiceMain } from '@rstar/service-kit';
import { startSearchService } from './search.bootstrap.js';
import { SearchConfig } from './search.config.js';

runServiceMain('search', async () => {
  const config = loadConfig('search', SearchConfig);
  await startSearchService(config);
  return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
});
