import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpPpmClient } from '@rstar/clients';
import { ReadinessRegistry } from '@rstar/service-kit';

/** Ready while the reward-model server answers its health check; not ready once shutting down. */
@Injectable()
export class PpmReadiness implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly ppm: HttpPpmClient,
  ) {}

  onModuleInit(): void {
    this.readiness.register('reward-server', () => this.ppm.ping());
  }

  beforeApplicationShutdown(): void {
    this.readiness.markDraining();
  }
}
