import { Module, type DynamicModule } from '@nestjs/common';
import { OpenAiCompletionsClient } from '@rstar/clients';
import { HealthModule, serviceLoggerModule } from '@rstar/service-kit';
import { PolicyConfig } from './policy.config.js';
import { PolicyController } from './policy.controller.js';
import { PolicyReadiness } from './policy.readiness.js';

@Module({})
export class AppModule {
  static forRoot(config: PolicyConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [serviceLoggerModule('policy', config.RSTAR_LOG_LEVEL), HealthModule],
      controllers: [PolicyController],
      providers: [
        { provide: PolicyConfig, useValue: config },
        {
          provide: OpenAiCompletionsClient,
          useFactory: (c: PolicyConfig) =>
            new OpenAiCompletionsClient({
              baseUrl: c.RSTAR_POLICY_URL,
              ...(c.RSTAR_POLICY_MODEL === '' ? {} : { model: c.RSTAR_POLICY_MODEL }),
              ...(c.RSTAR_POLICY_API_KEY === '' ? {} : { apiKey: c.RSTAR_POLICY_API_KEY }),
              timeoutMs: c.RSTAR_POLICY_TIMEOUT_S * 1000,
              retries: c.RSTAR_POLICY_RETRIES,
            }),
          inject: [PolicyConfig],
        },
        PolicyReadiness,
      ],
    };
  }
}
