import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { OpenAiCompletionsClient } from '@rstar/clients';
import { ReadinessRegistry } from '@rstar/service-kit';
import { PolicyConfig } from './policy.config.js';

/** Ready while the model server lists the model (one quick attempt per probe); not ready once shutting down. */
@Injectable()
export class PolicyReadiness implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly config: PolicyConfig,
  ) {}

  onModuleInit(): void {
    const { RSTAR_POLICY_URL, RSTAR_POLICY_MODEL, RSTAR_POLICY_API_KEY } = this.config;
    const probe = new OpenAiCompletionsClient({
      baseUrl: RSTAR_POLICY_URL,
      retries: 0,
      timeoutMs: 2_000,
      ...(RSTAR_POLICY_API_KEY === '' ? {} : { apiKey: RSTAR_POLICY_API_KEY }),
    });
    this.readiness.register('model-server', async () => {
      const models = await probe.listModels();
      if (models.length === 0) throw new Error(`${probe.baseUrl} serves no model`);
      if (RSTAR_POLICY_MODEL !== '' && !models.includes(RSTAR_POLICY_MODEL)) {
        throw new Error(`${probe.baseUrl} does not serve ${RSTAR_POLICY_MODEL} (it serves ${models.join(', ')})`);
      }
    });
  }

  beforeApplicationShutdown(): void {
    this.readiness.markDraining();
  }
}
