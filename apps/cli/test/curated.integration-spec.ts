import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, migrate, openStores, type TrainingSetRecord } from '@rstar/persistence';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

/** A database in which the curation service has stored three trees of round 1 and one of round 2. */
async function curatedDatabase(): Promise<{ dir: string; database: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rstar-curated-'));
  const database = `sqlite:${join(dir, 'rstar.db')}`;
  const dataSource = createDataSource(database);
  await migrate(dataSource);
  const { curation } = openStores(dataSource);
  const tree = (jobId: string, problemId: string, traces: number, pairs: number, round = 1) => ({
    jobId,
    problemId,
    round,
    counts: {},
    records: [
      ...Array.from({ length: traces }, (_, i) => ({ kind: 'sft' as const, id: `${jobId}-t${i}`, record: { schema: 'rstar.sft.v1', id: `${jobId}-t${i}` } })),
      ...Array.from({ length: pairs }, (_, i) => ({ kind: 'pair' as const, id: `${jobId}-p${i}`, record: { schema: 'rstar.ppm-pair.v1', id: `${jobId}-p${i}` } })),
    ],
  });
  await curation.saveTree(tree('job-1', 'gsm8k-1', 2, 3));
  await curation.saveTree(tree('job-2', 'gsm8k-2', 0, 1));
  await curation.saveTree(tree('job-3', 'gsm8k-1', 1, 0));
  await curation.saveTree(tree('job-4', 'gsm8k-4', 1, 1, 2));
  await dataSource.destroy();
  return { dir, database };
}

describe('rstar curated', () => {
  it('sums what the curation service stored for a round', async () => {
    const { database } = await curatedDatabase();
    const r = await rstar(['curated', '--round', '1', '--database', database]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^round 1 in .*rstar\.db: 3 trees of 2 problems · covered 1 · SFT traces 3 · PPM pairs 4$/m);
  });

  it('writes the round\'s SFT and pair sets as JSONL with manifests, and registers both', async () => {
    const { dir, database } = await curatedDatabase();
    const out = join(dir, 'r1-deploy');
    const r = await rstar(['curated', '--round', '1', '--out', out, '--database', database]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = (file: string) => readFileSync(join(out, file), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(lines('sft.jsonl')).toEqual(['job-1-t0', 'job-1-t1', 'job-3-t0']);
    expect(lines('pairs.jsonl')).toEqual(['job-1-p0', 'job-1-p1', 'job-1-p2', 'job-2-p0']);
    expect(JSON.parse(readFileSync(join(out, 'pairs.manifest.json'), 'utf8'))).toMatchObject({ schema: 'rstar.ppm-pair-manifest.v1', name: 'r1-deploy-pairs', round: 1, records: 4 });
    const listed = JSON.parse((await rstar(['datasets', '--json', '--database', database])).stdout) as { trainingSets: TrainingSetRecord[] };
    expect(listed.trainingSets.map((s) => [s.name, s.kind, s.recordCount])).toEqual([
      ['r1-deploy-pairs', 'ppm-pairs', 4],
      ['r1-deploy-sft', 'sft', 3],
    ]);
  });

  it('refuses a round that is not a non-negative integer', async () => {
    const r = await rstar(['curated', '--round', '-2', '--database', `sqlite:${join(tmpdir(), 'never.db')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--round: expected an integer >= 0/);
  });
});
