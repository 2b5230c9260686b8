import { existsSync } from 'node:fs';
import { createDataSource, isPersistenceError, migrate, openStores, parseDatabaseUrl, type DatabaseLocation, type Stores } from '@rstar/persistence';
import { embeddedDatabaseFile, workspaceRoot } from '@rstar/workspace';
import { CliUsageError } from './cli-errors.js';

export const DATABASE_ENV = 'RSTAR_DATABASE_URL';

/** The database could not be opened or migrated: one line on stderr, exit 1. */
export class JobDatabaseError extends Error {
  override readonly name = 'JobDatabaseError';
}

/** Where embedded mode keeps its solve jobs unless told otherwise: `sqlite:<workspace>/.rstar/rstar.db`. */
export function defaultDatabaseUrl(root: string = workspaceRoot()): string {
  return `sqlite:${embeddedDatabaseFile(root)}`;
}

/** The database to use: `--database` (commander fills it from RSTAR_DATABASE_URL too), else the default. */
export function chooseDatabaseUrl(option: string | undefined): string {
  return option === undefined || option === '' ? defaultDatabaseUrl() : option;
}

/** The database as people may see it: a file path, or a PostgreSQL URL without its password. */
export function describeDatabase(location: DatabaseLocation): string {
  if (location.kind === 'sqlite') return location.path;
  try {
    const url = new URL(location.url);
    url.password = '';
    return url.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

/** A URL we can use, or a usage error naming the flag (the URL itself may hold a password: not echoed). */
export function parseDatabaseOption(url: string): DatabaseLocation {
  try {
    return parseDatabaseUrl(url);
  } catch (error) {
    if (isPersistenceError(error)) throw new CliUsageError(`--database: ${error.message}`);
    throw error;
  }
}

/** The first line of what an error says; network errors (an AggregateError of connect attempts) say it in their parts. */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) return errorText(error.errors[0]);
  if (error instanceof Error) {
    const text = error.message || (error as NodeJS.ErrnoException).code || error.name;
    return text.split('\n')[0] ?? text;
  }
  return String(error);
}

export interface JobDatabase {
  stores: Stores;
  /** For messages: the file path or the URL without its password. */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens and migrates the job database. `read` refuses a SQLite file that does not exist yet (reading would
 * create an empty one); `write` creates it, and its directory.
 */
export async function openJobDatabase(url: string, mode: 'read' | 'write'): Promise<JobDatabase> {
  const location = parseDatabaseOption(url);
  const where = describeDatabase(location);
  if (mode === 'read' && location.kind === 'sqlite' && location.path !== ':memory:' && !existsSync(location.path)) {
    throw new JobDatabaseError(`no database at ${where}: nothing stored yet (rstar solve stores every solve there)`);
  }
  let dataSource: ReturnType<typeof createDataSource> | null = null;
  try {
    dataSource = createDataSource(url);
    await migrate(dataSource);
  } catch (error) {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new JobDatabaseError(`cannot open database ${where}: ${errorText(error)}`, { cause: error });
  }
  const opened = dataSource;
  return { stores: openStores(opened), where, close: () => opened.destroy() };
}
