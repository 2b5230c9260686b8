import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { DEPENDENCY_PROBES, POLICY_PROBE, type DependencyProbes, type PolicyProbe } from '../gateway.ports.js';
import { Health, HealthComponent } from './health.types.js';

const PROBE_TIMEOUT_MS = 2000;

async function probe(name: string, check: () => Promise<string | null>): Promise<HealthComponent> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { name, status: 'up', detail };
  } catch (error) {
    return { name, status: 'down', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

@Resolver(() => Health)
export class HealthResolver {
  constructor(
    @Inject(DEPENDENCY_PROBES) private readonly probes: DependencyProbes,
    @Inject(POLICY_PROBE) private readonly policy: PolicyProbe,
  ) {}

  @Query(() => Health, { description: 'The gateway and what it depends on: database, NATS, the policy service.' })
  async health(): Promise<Health> {
    const components = await Promise.all([
      probe('gateway', () => Promise.resolve(null)),
      probe('database', async () => {
        await this.probes.database();
        return null;
      }),
      probe('nats', async () => {
        await this.probes.nats();
        return null;
      }),
      probe('policy', async () => {
        const { models, serverUrl } = await this.policy.listModels();
        return `${models.join(', ') || 'no models'}${serverUrl ? ` at ${serverUrl}` : ''}`;
      }),
    ]);
    return { status: components.every((c) => c.status === 'up') ? 'ok' : 'degraded', components };
  }
}
