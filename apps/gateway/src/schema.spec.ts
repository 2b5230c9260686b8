import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { Stores } from '@rstar/persistence';
import { loadConfig } from '@rstar/service-kit';
import { printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from './gateway.app.js';
import { GatewayConfig } from './gateway.config.js';

const SCHEMA_FILE = resolve(import.meta.dirname, '../schema.graphql');
const HEADER = '# The gateway\'s GraphQL schema, emitted from the code-first types. Regenerate: npx nx run gateway:schema\n\n';

/** The schema the resolvers define; the committed schema.graphql must match it (RSTAR_UPDATE_SCHEMA=1 rewrites it). */
describe('schema.graphql', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const config = loadConfig('gateway', GatewayConfig, { RSTAR_LOG_LEVEL: 'fatal' });
    const unused = (): never => {
      throw new Error('not used while building the schema');
    };
    app = await createGatewayApp(config, {
      ports: {
        stores: {} as Stores,
        dispatcher: { enqueue: unused },
        progress: { subscribe: unused },
        policy: { listModels: unused },
        probes: { database: unused, nats: unused },
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is up to date with the resolvers', () => {
    const emitted = HEADER + printSchema(app.get(GraphQLSchemaHost).schema) + '\n';
    if (process.env['RSTAR_UPDATE_SCHEMA'] === '1') writeFileSync(SCHEMA_FILE, emitted);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed, 'apps/gateway/schema.graphql is stale: run `npx nx run gateway:schema` and commit it').toBe(emitted);
  });
});
