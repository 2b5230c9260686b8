import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sftManifest } from '@rstar/curation';
import { createDataSource, migrate, type TrainingSetRecord } from '@rstar/persistence';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingSet } from '../src/training-set-registry.js';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

describe('rstar datasets', () => {
  it('says there are no training sets in a database that does not exist (without creating it) or is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-datasets-'));
    const none = await rstar(['datasets', '--database', `sqlite:${join(dir, 'none.db')}`]);
    expect(none).toMatchObject({ code: 0, stderr: '' });
    expect(none.stdout).toMatch(/^No training sets registered in .*none\.db/);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
    const empty = `sqlite:${join(dir, 'empty.db')}`;
    const dataSource = createDataSource(empty);
    await migrate(dataSource);
    await dataSource.destroy();
    expect((await rstar(['datasets', '--database', empty])).stdout).toMatch(/^No training sets registered in .*empty\.db/);
    expect(JSON.parse((await rstar(['datasets', '--json', '--database', empty])).stdout)).toEqual({ trainingSets: [] });
  });

  it('lists a registered set with its records, file and command; filters by kind; refuses an unknown kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-datasets-'));
    writeFileSync(join(dir, 'sft.jsonl'), '{"id":"a"}\n{"id":"b"}\n');
    const fields = { name: 'gsm8k-r0', round: 0, records: 2, command: 'rstar bootstrap --out runs/r0', problems: 'gsm8k/train.jsonl', counts: { verified: 2 } };
    writeFileSync(join(dir, 'sft.manifest.json'), JSON.stringify(sftManifest(fields)));
    const database = `sqlite:${join(dir, 'rstar.db')}`;
    await registerTrainingSet(database, join(dir, 'sft.manifest.json'));

    const table = await rstar(['datasets', '--database', database]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/gsm8k-r0 +sft +0 +2 +\S+ \S+ +\S+sft\.jsonl +rstar bootstrap --out runs\/r0/);
    const listed = JSON.parse((await rstar(['datasets', '--json', '--kind', 'sft', '--database', database])).stdout) as { trainingSets: TrainingSetRecord[] };
    expect(listed.trainingSets).toMatchObject([{ name: 'gsm8k-r0', kind: 'sft', recordCount: 2, uri: join(dir, 'sft.jsonl'), metadata: { counts: { verified: 2 } } }]);
    expect((await rstar(['datasets', '--kind', 'ppm-pairs', '--database', database])).stdout).toMatch(/^No ppm-pairs training sets registered/);
    const bad = await rstar(['datasets', '--kind', 'pairs', '--database', database]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kind.*pairs/);
    expect((await rstar(['datasets', '--help'])).stdout).toMatch(/Usage: rstar datasets[\s\S]*--kind <kind>[\s\S]*--json/);
  });
});
