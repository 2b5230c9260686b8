import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { MathVerifyGrader } from '@rstar/grader';
import { SandboxPool } from '@rstar/sandbox';
import { HealthModule, serviceLoggerModule } from '@rstar/service-kit';
import { SandboxServiceConfig } from './sandbox.config.js';
import { SandboxController } from './sandbox.controller.js';
import { SandboxResources } from './sandbox.resources.js';

@Module({})
export class AppModule {
  static forRoot(config: SandboxServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [serviceLoggerModule('sandbox', config.RSTAR_LOG_LEVEL), HealthModule],
      controllers: [SandboxController],
      providers: [
        {
          provide: SandboxPool,
          // Started (every runtime answering) before the service takes requests.
          useFactory: () => {
            const logger = new Logger('SandboxPool');
            return SandboxPool.start(
              {
                size: config.RSTAR_SANDBOX_WORKERS,
                isolation: config.RSTAR_SANDBOX_ISOLATION,
                limits: { wallSeconds: config.RSTAR_SANDBOX_WALL_S, cpuSeconds: config.RSTAR_SANDBOX_WALL_S },
              },
              { logger: { warn: (message) => logger.warn(message) } },
            );
          },
        },
        { provide: MathVerifyGrader, useFactory: () => new MathVerifyGrader({ timeoutS: config.RSTAR_GRADER_TIMEOUT_S }) },
        SandboxResources,
      ],
    };
  }
}
