import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { databaseKind, type DatabaseKind } from './data-source.js';
import { PersistenceError } from './errors.js';

/** A promise-chain mutex: one holder at a time, in arrival order. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const sqliteMutexes = new WeakMap<DataSource, Mutex>();

/**
 * How the stores reach the database. better-sqlite3 is one synchronous connection that TypeORM shares between
 * all query runners, so two interleaved transactions would run inside each other (and a statement issued
 * while another store's transaction is open would commit or roll back with it): on SQLite every store
 * operation takes a per-DataSource mutex. PostgreSQL runs them concurrently on the pool.
 *
 * Driver errors that callers must handle become PersistenceErrors: a unique violation is CONFLICT, a foreign
 * key to a missing row NOT_FOUND.
 */
export class Db {
  readonly kind: DatabaseKind;
  private readonly mutex: Mutex | null;

  constructor(readonly dataSource: DataSource) {
    this.kind = databaseKind(dataSource);
    if (this.kind === 'sqlite') {
      let mutex = sqliteMutexes.get(dataSource);
      if (!mutex) sqliteMutexes.set(dataSource, (mutex = new Mutex()));
      this.mutex = mutex;
    } else {
      this.mutex = null;
    }
  }

  /**
   * Rows per multi-row INSERT: at most 500, and within the bound parameters one statement may carry (SQLite
   * 3.32+, as better-sqlite3 bundles it: 32766; PostgreSQL: 65535).
   */
  rowsPerInsert(entity: EntityTarget<ObjectLiteral>): number {
    const columns = this.dataSource.getMetadata(entity).columns.length;
    return Math.max(1, Math.min(500, Math.floor((this.kind === 'sqlite' ? 32_766 : 65_535) / columns)));
  }

  /** Statements outside a transaction (each one atomic on its own). */
  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.guard(() => fn(this.dataSource.manager));
  }

  /** One transaction: committed when `fn` resolves, rolled back when it throws. */
  tx<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.guard(() => this.dataSource.transaction(fn));
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await (this.mutex ? this.mutex.run(fn) : fn());
    } catch (error) {
      throw translate(error);
    }
  }
}

function translate(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driverError = (error as QueryFailedError & { driverError?: { code?: unknown } }).driverError;
  const code = typeof driverError?.code === 'string' ? driverError.code : '';
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new PersistenceError('CONFLICT', `unique constraint violated: ${error.message}`, { cause: error });
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new PersistenceError('NOT_FOUND', `a referenced row does not exist: ${error.message}`, { cause: error });
  }
  return error;
}

/** `items` in slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
