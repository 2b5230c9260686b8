import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ppmPairManifest, sftManifest } from '@rstar/curation';
import { createDataSource, migrate, openStores } from '@rstar/persistence';
import { describe, expect, it } from 'vitest';
import { formatTrainingSetTable } from './datasets.command.js';
import { dataPathFor, readTrainingSetManifest, registerTrainingSet } from './training-set-registry.js';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A directory with sft.jsonl (`lines` records, blank lines between) and its manifest. */
function writeSet(records: number, manifest: Record<string, unknown> = {}, lines = records): { dir: string; manifestPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rstar-training-set-'));
  writeFileSync(join(dir, 'sft.jsonl'), Array.from({ length: lines }, (_, i) => `{"id":"t${i}"}\n\n`).join(''));
  const fields = { name: 'gsm8k-r0', round: 0, records, command: 'rstar bootstrap --out runs/r0', problems: 'gsm8k/train.jsonl', counts: { verified: records, 'dropped:wrong-answer': 1 } };
  const manifestPath = join(dir, 'sft.manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ ...sftManifest(fields, new Date(Date.UTC(2026, 0, 1))), ...manifest }));
  return { dir, manifestPath };
}

describe('training set manifests', () => {
  it('pairs a manifest with the JSONL beside it', () => {
    expect(dataPathFor('runs/r0/sft.manifest.json')).toBe('runs/r0/sft.jsonl');
    expect(() => dataPathFor('runs/r0/sft.json')).toThrow(/ends in \.manifest\.json/);
  });

  it('reads an SFT manifest: kind, the absolute JSONL path, round, records and the whole manifest as metadata', async () => {
    const { dir, manifestPath } = writeSet(3);
    const set = await readTrainingSetManifest(manifestPath);
    expect(set).toMatchObject({ name: 'gsm8k-r0', kind: 'sft', uri: join(dir, 'sft.jsonl'), round: 0, recordCount: 3 });
    expect(set.metadata).toMatchObject({ schema: 'rstar.sft-manifest.v1', command: 'rstar bootstrap --out runs/r0', counts: { verified: 3 }, specialTokens: expect.arrayContaining(['<code>']) });
  });

  it('reads a PPM pair manifest as a ppm-pairs set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-training-set-'));
    writeFileSync(join(dir, 'pairs.jsonl'), '{"id":"p0"}\n{"id":"p1"}\n');
    const manifest = ppmPairManifest({ name: 'r1-pairs', round: 1, records: 2, command: 'rstar synth --round 1', problems: 'gsm8k/train.jsonl', counts: { pairs: 2 } });
    writeFileSync(join(dir, 'pairs.manifest.json'), JSON.stringify(manifest));
    const set = await readTrainingSetManifest(join(dir, 'pairs.manifest.json'));
    expect(set).toMatchObject({ name: 'r1-pairs', kind: 'ppm-pairs', uri: join(dir, 'pairs.jsonl'), round: 1, recordCount: 2 });
    expect(set.metadata).not.toHaveProperty('specialTokens');
  });

  it('refuses a manifest that is missing, not JSON, of an unknown schema, malformed, or whose JSONL disagrees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstar-training-set-'));
    await expect(readTrainingSetManifest(join(dir, 'none.manifest.json'))).rejects.toThrow(/^cannot read manifest .*none\.manifest\.json: ENOENT/);
    writeFileSync(join(dir, 'bad.manifest.json'), '{ not json');
    await expect(readTrainingSetManifest(join(dir, 'bad.manifest.json'))).rejects.toThrow(/^cannot read manifest .*bad\.manifest\.json: /);
    await expect(readTrainingSetManifest(writeSet(1, { schema: 'rstar.other.v9' }).manifestPath)).rejects.toThrow(/unknown manifest schema rstar\.other\.v9 \(expected one of rstar\.sft-manifest\.v1, rstar\.ppm-pair-manifest\.v1\)/);
    await expect(readTrainingSetManifest(writeSet(1, { round: -1, name: '' }).manifestPath)).rejects.toThrow(/name: .*; round: |round: .*; name: /);
    await expect(readTrainingSetManifest(writeSet(4, {}, 3).manifestPath)).rejects.toThrow(/says 4 records, but .*sft\.jsonl has 3$/);
    const { dir: noData, manifestPath } = writeSet(1);
    copyFileSync(manifestPath, join(noData, 'other.manifest.json'));
    await expect(readTrainingSetManifest(join(noData, 'other.manifest.json'))).rejects.toThrow(/^cannot read .*other\.jsonl \(the data of .*other\.manifest\.json\): ENOENT/);
  });

  it('registers in a SQLite database, then re-registers by name; the table lists it', async () => {
    const { dir, manifestPath } = writeSet(2);
    const url = `sqlite:${join(dir, 'nested', 'rstar.db')}`;
    const first = await registerTrainingSet(url, manifestPath);
    expect(first.where).toBe(join(dir, 'nested', 'rstar.db'));
    expect(first.trainingSet).toMatchObject({ name: 'gsm8k-r0', kind: 'sft', recordCount: 2, uri: join(dir, 'sft.jsonl') });
    writeFileSync(join(dir, 'sft.jsonl'), '{}\n'.repeat(5));
    writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, 'utf8')), records: 5 }));
    const second = await registerTrainingSet(url, manifestPath);
    expect(second.trainingSet).toMatchObject({ id: first.trainingSet.id, recordCount: 5 });

    const dataSource = createDataSource(url);
    await migrate(dataSource);
    const sets = await openStores(dataSource).trainingSets.list();
    await dataSource.destroy();
    expect(sets).toEqual([second.trainingSet]);
    const lines = strip(formatTrainingSetTable(sets, 'db')).split('\n');
    expect(lines[0]).toMatch(/^NAME +KIND +ROUND +RECORDS +CREATED +URI +COMMAND$/);
    expect(lines[1]).toMatch(/^gsm8k-r0 +sft +0 +5 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+sft\.jsonl +rstar bootstrap --out runs\/r0$/);
    expect(strip(formatTrainingSetTable([], 'x.db'))).toBe('No training sets registered in x.db (rstar bootstrap registers the set it writes).');
    expect(strip(formatTrainingSetTable([], 'x.db', 'ppm-pairs'))).toMatch(/^No ppm-pairs training sets registered in x\.db/);
  });
});
