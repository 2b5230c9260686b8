import { parseSearchConfig } from '@rstar/mcts';
import { createDataSource, migrate, openStores, type Stores } from '@rstar/persistence';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groundTruthTree } from '../test/trees.js';
import { TrajectoryCurator } from './trajectory-curator.js';

let dataSource: DataSource;
let stores: Stores;
const lines: string[] = [];
const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };

beforeAll(async () => {
  dataSource = createDataSource('sqlite::memory:');
  await migrate(dataSource);
  stores = openStores(dataSource);
});

afterAll(async () => {
  await dataSource.destroy();
});

describe('TrajectoryCurator (SQLite store)', () => {
  it('stores the SFT traces and PPM pairs of a ground-truth tree once: a second delivery adds nothing', async () => {
    const curator = new TrajectoryCurator(stores.curation, stores.synthesisRuns, 3, logger);
    const first = await curator.curate(groundTruthTree('job-1'));
    expect(first).toMatchObject({ kind: 'curated', traces: 1 });
    expect(first.kind === 'curated' && first.pairs).toBeGreaterThan(0);
    expect(await curator.curate(groundTruthTree('job-1'))).toEqual({ kind: 'duplicate' });

    const sft = await stores.curation.records('sft', 3, { first: 10 });
    expect(sft.total).toBe(1);
    expect(sft.items[0]?.record).toMatchObject({ schema: 'rstar.sft.v1', problemId: 'gsm8k-train-0001', round: 3, source: 'mcts' });
    const pairs = await stores.curation.records('pair', 3, { first: 10 });
    expect(pairs.items.map((p) => p.record['kind'])).toContain('step');
    expect(await stores.curation.summary(3)).toMatchObject({ trees: 1, problems: 1, covered: 1, traces: 1 });
  });

  it('files the tree of a synthesis run\'s job under the run\'s round', async () => {
    const run = await stores.synthesisRuns.create({ name: 'r5', round: 5, datasetId: 'ds', config: parseSearchConfig({ rollouts: 4 }), problemCount: 1, correlationId: 'c' });
    await stores.synthesisRuns.addJobs(run.id, [{ jobId: 'job-run', problemId: 'gsm8k-train-0001' }]);
    expect(await new TrajectoryCurator(stores.curation, stores.synthesisRuns, 1, logger).curate(groundTruthTree('job-run'))).toMatchObject({ kind: 'curated' });
    expect(await stores.curation.summary(5)).toMatchObject({ trees: 1 });
  });

  it('skips trees that are not training data (not scored against the ground truth)', async () => {
    const curator = new TrajectoryCurator(stores.curation, stores.synthesisRuns, 4, logger);
    expect(await curator.curate({ ...groundTruthTree('job-2'), evaluator: 'ppm', referenceAnswer: undefined })).toMatchObject({ kind: 'skipped', reason: 'not-ground-truth' });
    expect(await stores.curation.summary(4)).toMatchObject({ trees: 0 });
    expect(lines).toContainEqual(expect.stringMatching(/^job job-2: not curated \(not-ground-truth/));
  });
});
