import { Module, type DynamicModule } from '@nestjs/common';
import { HttpPpmClient } from '@rstar/clients';
import { HealthModule, serviceLoggerModule } from '@rstar/service-kit';
import { ppmInput } from '@rstar/step-format';
import { PpmConfig } from './ppm.config.js';
import { PpmController } from './ppm.controller.js';
import { PpmReadiness } from './ppm.readiness.js';

@Module({})
export class AppModule {
  static forRoot(config: PpmConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [serviceLoggerModule('ppm', config.RSTAR_LOG_LEVEL), HealthModule],
      controllers: [PpmController],
      providers: [
        { provide: PpmConfig, useValue: config },
        {
          provide: HttpPpmClient,
          useFactory: (c: PpmConfig) =>
            new HttpPpmClient({
              baseUrl: c.RSTAR_PPM_URL,
              api: c.RSTAR_PPM_API,
              formatInput: ppmInput,
              ...(c.RSTAR_PPM_MODEL === '' ? {} : { model: c.RSTAR_PPM_MODEL }),
              ...(c.RSTAR_PPM_API_KEY === '' ? {} : { apiKey: c.RSTAR_PPM_API_KEY }),
              timeoutMs: c.RSTAR_PPM_TIMEOUT_S * 1000,
              retries: c.RSTAR_PPM_RETRIES,
            }),
          inject: [PpmConfig],
        },
        PpmReadiness,
      ],
    };
  }
}
