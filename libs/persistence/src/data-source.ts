import { isAbsolute, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { PersistenceError } from './errors.js';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { MIGRATIONS as SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';

export { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS };

export type DatabaseKind = 'postgres' | 'sqlite';

export type DatabaseLocation = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

export interface PersistenceOptions {
  /** Log every SQL statement (TypeORM's logger). */
  logging?: boolean;
  /**
   * PostgreSQL only: the schema to work in (set as the connection's `search_path`), which must exist. Tests
   * use a fresh one per file; the deployment leaves it out (`public`).
   */
  schema?: string;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  poolSize?: number;
}

export const MIGRATIONS_TABLE = 'typeorm_migrations';

/**
 * `postgres://…` or `postgresql://…` → PostgreSQL through node-postgres; `sqlite:<path>` (relative to the
 * working directory; `sqlite:///abs/path` works too) or `sqlite::memory:` → SQLite through better-sqlite3.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new PersistenceError('INVALID', `database URL ${url} names no file (use sqlite:<path> or sqlite::memory:)`);
    if (path === ':memory:') return { kind: 'sqlite', path };
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
  }
  // Never echo a URL that may hold a password.
  throw new PersistenceError('INVALID', `unsupported database URL scheme "${url.split(':')[0] ?? ''}" (use postgres://…, sqlite:<path> or sqlite::memory:)`);
}

/**
 * The TypeORM options for a database URL: entities, the driver's migrations (never run implicitly), no
 * `synchronize`. For `TypeOrmModule.forRoot(dataSourceOptions(url))`; `createDataSource` wraps it.
 */
export function dataSourceOptions(url: string, options: PersistenceOptions = {}): DataSourceOptions {
  const location = parseDatabaseUrl(url);
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: MIGRATIONS_TABLE,
    logging: options.logging ?? false,
  } as const;
  switch (location.kind) {
    case 'postgres': {
      if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
        throw new PersistenceError('INVALID', `bad schema name "${options.schema}" (lower-case letters, digits, _)`);
      }
      return {
        ...common,
        type: 'postgres',
        url: location.url,
        migrations: POSTGRES_MIGRATIONS,
        poolSize: options.poolSize ?? 10,
        ...(options.schema === undefined ? {} : { extra: { options: `-c search_path=${options.schema}` } }),
      };
    }
    case 'sqlite':
      return {
        ...common,
        type: 'better-sqlite3',
        // better-sqlite3's driver creates the parent directory of a file database.
        database: location.path,
        migrations: SQLITE_MIGRATIONS,
        // WAL lets readers (another process, a backup) in while the service writes; not for :memory:.
        enableWAL: location.path !== ':memory:',
      };
  }
}

/** A DataSource for the URL, not yet initialized: call `initialize()`, then `migrate()`. */
export function createDataSource(url: string, options: PersistenceOptions = {}): DataSource {
  return new DataSource(dataSourceOptions(url, options));
}

export function databaseKind(dataSource: DataSource): DatabaseKind {
  const { type } = dataSource.options;
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new PersistenceError('INVALID', `unsupported TypeORM driver ${type} (postgres and better-sqlite3 are)`);
}

/**
 * Runs the migrations of the DataSource's driver that have not run yet (initializing it first if needed), all
 * in one transaction; returns the names of those it ran. Idempotent: a second call runs none.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  databaseKind(dataSource);
  if (!dataSource.isInitialized) await dataSource.initialize();
  if (dataSource.migrations.length === 0) {
    throw new PersistenceError('INVALID', 'the DataSource has no migrations: build its options with dataSourceOptions()');
  }
  const ran = await dataSource.runMigrations({ transaction: 'all' });
  return ran.map((m) => m.name);
}
