import 'reflect-metadata';
import { loadConfig, runServiceMain } from '@rstar/service-kit';
import { PolicyConfig } from './policy.config.js';
import { startPolicyService } from './policy.bootstrap.js';

runServiceMain('policy', async () => {
  const config = loadConfig('policy', PolicyConfig);
  await startPolicyService(config);
  return { shutdownTimeoutS: config.RSTAR_SHUTDOWN_TIMEOUT_S };
});
