import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The project's PostgreSQL (`tools/infra up`): database and user rstar on 127.0.0.1:$RSTAR_PG_PORT. */
export function postgresUrl(): string {
  return process.env['RSTAR_PG_URL'] ?? `postgres://rstar:rstar@127.0.0.1:${process.env['RSTAR_PG_PORT'] ?? '5432'}/rstar`;
}

/**
 * A fresh schema for one test file, so files run in parallel against one database (the rstar role may not
 * create databases, but it owns `rstar`). `drop()` removes it with everything in it.
 */
export async function createTestSchema(prefix = 'rstar_test'): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const url = postgresUrl();
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const where = url.replace(/\/\/[^@]*@/, '//');
    throw new Error(`PostgreSQL is not reachable at ${where} (${String(error)}). Start it with \`tools/infra up\` (port: RSTAR_PG_PORT).`);
  }
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return {
    url,
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
