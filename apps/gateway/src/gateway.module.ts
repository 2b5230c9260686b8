import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { HealthModule, ReadinessRegistry, serviceLoggerModule } from '@rstar/service-kit';
import type { Stores } from '@rstar/persistence';
import { AdminGuard } from './auth/admin.guard.js';
import { ApiKeyAuthenticator } from './auth/api-key-auth.service.js';
import { DatasetResolver, ProblemResolver } from './datasets/dataset.resolver.js';
import { DatasetService } from './datasets/dataset.service.js';
import type { GatewayConfig } from './gateway.config.js';
import { DEPENDENCY_PROBES, GATEWAY_CONFIG, JOB_DISPATCHER, POLICY_PROBE, PROGRESS_FEED, STORES, type DependencyProbes } from './gateway.ports.js';
import { gatewayGraphQLOptions } from './graphql.options.js';
import { HealthResolver } from './health/health.resolver.js';
import { SolveJobResolver } from './jobs/solve-job.resolver.js';
import { SolveService } from './jobs/solve.service.js';
import { SynthesisResolver } from './synthesis/synthesis.resolver.js';
import { SynthesisService } from './synthesis/synthesis.service.js';
import { ApiKeyResolver } from './keys/api-key.resolver.js';
import { ApiKeyAdmin } from './keys/api-key.service.js';
import { ModelResolver } from './models/model.resolver.js';
import type { OpenedPorts } from './open-gateway-ports.js';

const OPENED_PORTS = Symbol('rstar.gateway.opened-ports');

/** Readiness (database, NATS) and shutdown: readiness fails first, the ports close last. */
@Injectable()
class PortsLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(OPENED_PORTS) private readonly ports: OpenedPorts,
    @Inject(DEPENDENCY_PROBES) private readonly probes: DependencyProbes,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', () => this.probes.database());
    this.readiness.register('nats', () => this.probes.nats());
  }

  beforeApplicationShutdown(): void {
    this.readiness.markDraining();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ports.close();
  }
}

/** The configuration and the ports, for every module of the gateway (GraphQL's options factory included). */
@Global()
@Module({})
class GatewayCoreModule {
  static forRoot(config: GatewayConfig, ports: OpenedPorts): DynamicModule {
    const providers = [
      { provide: GATEWAY_CONFIG, useValue: config },
      { provide: OPENED_PORTS, useValue: ports },
      { provide: STORES, useValue: ports.stores },
      { provide: JOB_DISPATCHER, useValue: ports.dispatcher },
      { provide: PROGRESS_FEED, useValue: ports.progress },
      { provide: POLICY_PROBE, useValue: ports.policy },
      { provide: DEPENDENCY_PROBES, useValue: ports.probes },
      ApiKeyAuthenticator,
    ];
    return { module: GatewayCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, ports: OpenedPorts): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        serviceLoggerModule('gateway', config.RSTAR_LOG_LEVEL),
        HealthModule,
        GatewayCoreModule.forRoot(config, ports),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [GATEWAY_CONFIG, ApiKeyAuthenticator],
          useFactory: (gatewayConfig: GatewayConfig, auth: ApiKeyAuthenticator) => gatewayGraphQLOptions(gatewayConfig, auth),
        }),
      ],
      providers: [
        PortsLifecycle,
        { provide: APP_GUARD, useClass: AdminGuard },
        {
          provide: ApiKeyAdmin,
          inject: [STORES, GATEWAY_CONFIG],
          useFactory: (stores: Stores, gatewayConfig: GatewayConfig) => new ApiKeyAdmin(stores.apiKeys, gatewayConfig.RSTAR_DEFAULT_RATE_LIMIT),
        },
        SolveService,
        SynthesisService,
        DatasetService,
        SolveJobResolver,
        SynthesisResolver,
        DatasetResolver,
        ProblemResolver,
        ModelResolver,
        ApiKeyResolver,
        HealthResolver,
      ],
    };
  }
}
