import { createDataSource } from '../src/data-source.js';
import { createTestSchema } from './postgres.js';
import { storeSuite } from './store-suite.js';

// The store suite against the PostgreSQL of `tools/infra up`, in a schema of its own that is dropped afterwards.
storeSuite('postgres', async () => {
  const scratch = await createTestSchema();
  const dataSource = createDataSource(scratch.url, { schema: scratch.schema });
  await dataSource.initialize();
  return { dataSource, dispose: scratch.drop };
});
