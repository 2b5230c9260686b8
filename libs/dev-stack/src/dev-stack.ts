import { join } from 'node:path';
import type { ServiceSpec } from './process-stack.js';

/** Where the local stack listens and what it talks to. Defaults: tools/infra's ports on loopback. */
export interface DevStackConfig {
  /** Repository root (bundles under dist/apps, models under models/). */
  root: string;
  host: string;
  natsUrl: string;
  databaseUrl: string;
  kafkaBrokers: string;
  ports: { gateway: number; search: number; policy: number; sandbox: number; curation: number; modelServer: number };
  model: string;
  threads: number;
  adminToken: string;
  /** Seconds before JetStream hands an unacknowledged job to another search instance. */
  jobAckWaitS: number;
  /** Kafka consumer group of the curation service (a deployment of its own needs a group of its own). */
  curationGroupId: string;
  logLevel: string;
}

/** Start order: a service starts after what it needs (the gateway migrates the database the search workers use); stop in reverse. */
export const DEV_STACK_ORDER = ['model-server', 'policy', 'sandbox', 'gateway', 'search', 'curation'] as const;
export type DevStackService = (typeof DEV_STACK_ORDER)[number];

/** The apps whose bundles the stack runs (dist/apps/<app>/main.js). */
export const DEV_STACK_APPS: Record<DevStackService, string> = {
  'model-server': 'model-server',
  policy: 'policy',
  sandbox: 'sandbox',
  search: 'search',
  gateway: 'gateway',
  curation: 'curation',
};

export function devStackConfig(root: string, env: NodeJS.ProcessEnv = process.env): DevStackConfig {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new Error(`${name} must be a port number, got ${raw}`);
    return value;
  };
  return {
    root,
    host: '127.0.0.1',
    natsUrl: env['RSTAR_NATS_URL'] ?? `nats://127.0.0.1:${env['RSTAR_NATS_PORT'] ?? 4222}`,
    databaseUrl: env['RSTAR_DATABASE_URL'] ?? `postgresql://rstar:rstar@127.0.0.1:${env['RSTAR_PG_PORT'] ?? 5432}/rstar`,
    kafkaBrokers: env['RSTAR_KAFKA_BROKERS'] ?? `127.0.0.1:${env['RSTAR_KAFKA_PORT'] ?? 9092}`,
    ports: {
      gateway: port('RSTAR_GATEWAY_PORT', 4000),
      search: port('RSTAR_SEARCH_PORT', 4010),
      policy: port('RSTAR_POLICY_PORT', 4020),
      sandbox: port('RSTAR_SANDBOX_PORT', 4040),
      curation: port('RSTAR_CURATION_PORT', 4050),
      modelServer: port('RSTAR_MODEL_SERVER_PORT', 8000),
    },
    model: env['RSTAR_MODEL'] ?? 'smollm2-135m',
    threads: Number(env['RSTAR_THREADS'] ?? 2),
    adminToken: env['RSTAR_ADMIN_TOKEN'] ?? '',
    jobAckWaitS: Number(env['RSTAR_JOB_ACK_WAIT_S'] ?? 30),
    curationGroupId: env['RSTAR_KAFKA_GROUP_ID'] ?? 'rstar-curation',
    logLevel: env['RSTAR_LOG_LEVEL'] ?? 'info',
  };
}

/** The processes of the local deployment: the CPU model server and every service, as the k8s cpu-dev overlay runs them. */
export function devStackServices(c: DevStackConfig, only: readonly DevStackService[] = DEV_STACK_ORDER): ServiceSpec[] {
  const node = process.execPath;
  const bundle = (service: DevStackService): string => join(c.root, 'dist', 'apps', DEV_STACK_APPS[service], 'main.js');
  const url = (port: number, path: string): string => `http://${c.host}:${port}${path}`;
  const common = { RSTAR_HOME: c.root, RSTAR_HTTP_HOST: c.host, RSTAR_NATS_URL: c.natsUrl, RSTAR_LOG_LEVEL: c.logLevel };
  const specs: Record<DevStackService, ServiceSpec> = {
    'model-server': {
      name: 'model-server',
      command: [node, bundle('model-server'), '--model', c.model, '--host', c.host, '--port', String(c.ports.modelServer), '--threads', String(c.threads)],
      env: { RSTAR_HOME: c.root },
      readyUrl: url(c.ports.modelServer, '/v1/models'),
      readyTimeoutMs: 180_000,
    },
    policy: {
      name: 'policy',
      command: [node, bundle('policy')],
      env: { ...common, RSTAR_HTTP_PORT: String(c.ports.policy), RSTAR_POLICY_URL: url(c.ports.modelServer, '/v1') },
      readyUrl: url(c.ports.policy, '/readyz'),
    },
    sandbox: {
      name: 'sandbox',
      command: [node, bundle('sandbox')],
      env: { ...common, RSTAR_HTTP_PORT: String(c.ports.sandbox) },
      readyUrl: url(c.ports.sandbox, '/readyz'),
      readyTimeoutMs: 120_000,
    },
    search: {
      name: 'search',
      command: [node, bundle('search')],
      env: {
        ...common,
        RSTAR_HTTP_PORT: String(c.ports.search),
        RSTAR_DATABASE_URL: c.databaseUrl,
        RSTAR_KAFKA_BROKERS: c.kafkaBrokers,
        RSTAR_JOB_ACK_WAIT_S: String(c.jobAckWaitS),
        RSTAR_POLICY_MODEL_NAME: c.model,
      },
      readyUrl: url(c.ports.search, '/readyz'),
    },
    gateway: {
      name: 'gateway',
      command: [node, bundle('gateway')],
      env: { ...common, RSTAR_HTTP_PORT: String(c.ports.gateway), RSTAR_DATABASE_URL: c.databaseUrl, ...(c.adminToken ? { RSTAR_ADMIN_TOKEN: c.adminToken } : {}) },
      readyUrl: url(c.ports.gateway, '/readyz'),
    },
    curation: {
      name: 'curation',
      command: [node, bundle('curation')],
      env: { ...common, RSTAR_HTTP_PORT: String(c.ports.curation), RSTAR_DATABASE_URL: c.databaseUrl, RSTAR_KAFKA_BROKERS: c.kafkaBrokers, RSTAR_KAFKA_GROUP_ID: c.curationGroupId },
      readyUrl: url(c.ports.curation, '/readyz'),
    },
  };
  return only.map((s) => specs[s]);
}
