import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataSource, dataSourceOptions, databaseKind, migrate, parseDatabaseUrl, SQLITE_MIGRATIONS } from './data-source.js';
import { PersistenceError } from './errors.js';
import { openStores } from './open-stores.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof PersistenceError ? error.code : 'not a PersistenceError';
  }
}

describe('parseDatabaseUrl', () => {
  it('knows postgres and sqlite URLs', () => {
    expect(parseDatabaseUrl('postgres://u:p@h:5432/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h:5432/db' });
    expect(parseDatabaseUrl('postgresql://h/db').kind).toBe('postgres');
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('sqlite:data/rstar.db')).toEqual({ kind: 'sqlite', path: resolve('data/rstar.db') });
    expect(parseDatabaseUrl('sqlite:///var/lib/rstar.db')).toEqual({ kind: 'sqlite', path: '/var/lib/rstar.db' });
  });

  it('refuses anything else without echoing the URL', () => {
    expect(() => parseDatabaseUrl('mysql://root:hunter2@h/db')).toThrow(PersistenceError);
    expect(() => parseDatabaseUrl('mysql://root:hunter2@h/db')).not.toThrow(/hunter2/);
    expect(codeOf(() => parseDatabaseUrl('sqlite:'))).toBe('INVALID');
  });
});

describe('dataSourceOptions', () => {
  it('picks the driver and its migrations and never runs them implicitly', () => {
    const pg = dataSourceOptions('postgres://h/db', { schema: 'rstar_test_1' });
    expect(pg).toMatchObject({ type: 'postgres', migrationsRun: false, synchronize: false, extra: { options: '-c search_path=rstar_test_1' } });
    const lite = dataSourceOptions('sqlite::memory:');
    expect(lite).toMatchObject({ type: 'better-sqlite3', database: ':memory:', enableWAL: false, migrationsRun: false });
    expect(pg.migrations).not.toBe(lite.migrations);
    expect(codeOf(() => dataSourceOptions('postgres://h/db', { schema: 'x; DROP TABLE y' }))).toBe('INVALID');
    expect(databaseKind(createDataSource('sqlite::memory:'))).toBe('sqlite');
  });
});

describe('a SQLite file database', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('creates its directory, runs in WAL mode and keeps its data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rstar-persistence-'));
    const url = `sqlite:${join(dir, 'nested', 'deeper', 'rstar.db')}`;
    const first = createDataSource(url);
    expect(await migrate(first)).toHaveLength(SQLITE_MIGRATIONS.length);
    expect(await first.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await first.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await openStores(first).models.register({ name: 'm', kind: 'policy', uri: 'models/m.gguf' });
    await first.destroy();

    const second = createDataSource(url);
    await second.initialize();
    expect(await migrate(second)).toEqual([]);
    expect(await openStores(second).models.get('m')).toMatchObject({ uri: 'models/m.gguf' });
    await second.destroy();
  });

  it('serializes concurrent transactions on the one connection', async () => {
    const ds = createDataSource('sqlite::memory:');
    await migrate(ds);
    const { datasets } = openStores(ds);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => datasets.importProblems('shared', 's.jsonl', [{ externalId: `p${i % 4}`, question: `q${i}`, answer: null }])),
    );
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(4);
    expect((await datasets.getByName('shared'))?.problemCount).toBe(4);
    await ds.destroy();
  });
});
