import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MathVerifyGrader } from '@rstar/grader';
import { SandboxPool } from '@rstar/sandbox';
import { ReadinessRegistry } from '@rstar/service-kit';

/** Readiness of the pool, and the end of the pool and the grader worker once the NATS transport has stopped. */
@Injectable()
export class SandboxResources implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SandboxResources.name);

  constructor(
    private readonly pool: SandboxPool,
    private readonly grader: MathVerifyGrader,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('sandbox-pool', () => {
      const { alive, size, starting } = this.pool.stats();
      if (alive === 0) throw new Error(`no runtime alive of ${size} (${starting} starting)`);
    });
  }

  beforeApplicationShutdown(): void {
    this.readiness.markDraining();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.close(), this.grader.close()]);
    this.logger.log('sandbox pool and grader worker stopped');
  }
}
