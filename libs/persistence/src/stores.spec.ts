import { storeSuite } from '../test/store-suite.js';
import { createDataSource } from './data-source.js';

// The store suite on SQLite in memory (better-sqlite3); test/stores.integration-spec.ts runs it on PostgreSQL.
storeSuite('sqlite (memory)', async () => {
  const dataSource = createDataSource('sqlite::memory:');
  await dataSource.initialize();
  return { dataSource };
});
