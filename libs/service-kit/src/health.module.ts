import { Controller, Get, Global, HttpCode, HttpException, HttpStatus, Injectable, Module } from '@nestjs/common';

/** Resolves when a dependency is usable; throws (with a reason) when it is not. */
export type ReadinessCheck = () => Promise<void> | void;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
}

/** The dependencies a service needs before it takes traffic (NATS, the database, a model server). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Called on shutdown: readiness fails at once so load balancers stop sending work. */
  markDraining(): void {
    this.draining = true;
  }

  async report(timeoutMs = 2000): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          checks[name] = 'up';
        } catch (error) {
          checks[name] = `down: ${error instanceof Error ? error.message : String(error)}`;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    if (this.draining) checks['shutdown'] = 'down: draining';
    return { ready: Object.values(checks).every((s) => s === 'up'), checks };
  }
}

/** `/healthz`: the process is alive. `/readyz`: every registered dependency answers (503 otherwise). */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  @Get('healthz')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    if (!report.ready) throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}

@Global()
@Module({ controllers: [HealthController], providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
export class HealthModule {}
