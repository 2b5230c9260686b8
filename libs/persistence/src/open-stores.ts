import type { DataSource } from 'typeorm';
import { Db } from './db.js';
import type { ApiKeyStore, CurationStore, SynthesisRunStore, DatasetStore, ModelStore, OutboxStore, SearchTreeStore, SolveJobStore, TrainingSetStore } from './stores.js';
import { TypeOrmApiKeyStore } from './stores/api-key.store.js';
import { TypeOrmCurationStore } from './stores/curation.store.js';
import { TypeOrmDatasetStore } from './stores/dataset.store.js';
import { TypeOrmModelStore } from './stores/model.store.js';
import { TypeOrmOutboxStore } from './stores/outbox.store.js';
import { TypeOrmSearchTreeStore } from './stores/search-tree.store.js';
import { TypeOrmSolveJobStore } from './stores/solve-job.store.js';
import { TypeOrmSynthesisRunStore } from './stores/synthesis-run.store.js';
import { TypeOrmTrainingSetStore } from './stores/training-set.store.js';

export interface Stores {
  jobs: SolveJobStore;
  trees: SearchTreeStore;
  datasets: DatasetStore;
  apiKeys: ApiKeyStore;
  models: ModelStore;
  trainingSets: TrainingSetStore;
  outbox: OutboxStore;
  curation: CurationStore;
  synthesisRuns: SynthesisRunStore;
}

export interface OpenStoresOptions {
  /** The clock (epoch ms) behind every stored timestamp; tests pin it. */
  now?: () => number;
}

/** The stores over an initialized, migrated DataSource (PostgreSQL or better-sqlite3). */
export function openStores(dataSource: DataSource, options: OpenStoresOptions = {}): Stores {
  const db = new Db(dataSource);
  const now = options.now ?? Date.now;
  return {
    jobs: new TypeOrmSolveJobStore(db, now),
    trees: new TypeOrmSearchTreeStore(db),
    datasets: new TypeOrmDatasetStore(db, now),
    apiKeys: new TypeOrmApiKeyStore(db, now),
    models: new TypeOrmModelStore(db, now),
    trainingSets: new TypeOrmTrainingSetStore(db, now),
    outbox: new TypeOrmOutboxStore(db, now),
    curation: new TypeOrmCurationStore(db, now),
    synthesisRuns: new TypeOrmSynthesisRunStore(db, now),
  };
}
