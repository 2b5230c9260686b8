import { existsSync } from 'node:fs';
import { chooseModel, findCatalogModel, listModels } from '@rstar/model-server';
import { createDataSource, migrate, openStores, type ModelStore } from '@rstar/persistence';
import { embeddedDatabaseFile } from '@rstar/workspace';

export const DATABASE_ENV = 'RSTAR_DATABASE_URL';

/**
 * `--model` as the server loads it: a catalog name, a .gguf path or a model directory as given; any other name is
 * looked up among the registered models (RSTAR_DATABASE_URL, else embedded mode's .rstar/rstar.db) and the policies
 * shipped in policies/. Unknown names throw ModelNotFoundError (one line).
 */
export async function resolveServedModel(model: string, databaseUrl: string | undefined = process.env[DATABASE_ENV]): Promise<string> {
  if (findCatalogModel(model) || model.endsWith('.gguf') || existsSync(model)) return model;
  const url = databaseUrl || `sqlite:${embeddedDatabaseFile()}`;
  const sqlite = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : null;
  // A database that is not there yet has no registered models; opening it would create it.
  const dataSource = sqlite !== null && !existsSync(sqlite) ? null : createDataSource(url);
  try {
    let models: ModelStore | null = null;
    if (dataSource) {
      await migrate(dataSource);
      models = openStores(dataSource).models;
    }
    const { entries } = await listModels(models);
    return chooseModel(model, entries).model;
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
}
