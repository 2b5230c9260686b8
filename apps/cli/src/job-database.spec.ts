import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchConfig } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-errors.js';
import { chooseDatabaseUrl, defaultDatabaseUrl, describeDatabase, JobDatabaseError, openJobDatabase, parseDatabaseOption } from './job-database.js';

describe('job database', () => {
  it('defaults to .rstar/rstar.db in the workspace; --database (or its env variable) wins', () => {
    expect(defaultDatabaseUrl('/home/me/rstar')).toBe('sqlite:/home/me/rstar/.rstar/rstar.db');
    expect(chooseDatabaseUrl('postgres://db/rstar')).toBe('postgres://db/rstar');
    expect(chooseDatabaseUrl(undefined)).toBe(defaultDatabaseUrl());
    expect(chooseDatabaseUrl('')).toBe(defaultDatabaseUrl());
  });

  it('names a database without its password, and refuses an unknown scheme as a usage error', () => {
    expect(describeDatabase(parseDatabaseOption('postgresql://rstar:s3cret@db:5432/rstar'))).toBe('postgresql://rstar@db:5432/rstar');
    expect(describeDatabase(parseDatabaseOption('sqlite:/tmp/x.db'))).toBe('/tmp/x.db');
    expect(() => parseDatabaseOption('mysql://u:s3cret@db/x')).toThrow(CliUsageError);
    expect(() => parseDatabaseOption('mysql://u:s3cret@db/x')).toThrow(/^--database: unsupported database URL scheme "mysql"/);
    expect(() => parseDatabaseOption('mysql://u:s3cret@db/x')).not.toThrow(/s3cret/);
  });

  it('writing creates and migrates the file; reading finds what was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-jobdb-'));
    const url = `sqlite:${join(dir, 'sub', 'jobs.db')}`;
    await expect(openJobDatabase(url, 'read')).rejects.toThrow(/^no database at .*jobs\.db: nothing stored yet/);
    expect(existsSync(join(dir, 'sub', 'jobs.db'))).toBe(false);

    const writer = await openJobDatabase(url, 'write');
    const job = await writer.stores.jobs.create({ question: 'What is 1 + 1?', config: parseSearchConfig(), correlationId: 'c' });
    await writer.close();
    const reader = await openJobDatabase(url, 'read');
    expect((await reader.stores.jobs.get(job.id))?.question).toBe('What is 1 + 1?');
    await reader.close();
  });

  it('says in one line when a file is not a database or a server does not answer', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rstar-jobdb-')), 'notes.db');
    writeFileSync(file, 'not a database, just notes\n'.repeat(100));
    await expect(openJobDatabase(`sqlite:${file}`, 'read')).rejects.toThrow(new JobDatabaseError(`cannot open database ${file}: file is not a database`));
    const refused = openJobDatabase('postgres://rstar:s3cret@127.0.0.1:1/rstar', 'read');
    await expect(refused).rejects.toThrow(/^cannot open database postgres:\/\/rstar@127\.0\.0\.1:1\/rstar: connect ECONNREFUSED/);
  });
});
