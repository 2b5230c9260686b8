export * from './records.js';
export * from './stores.js';
export { PersistenceError, PersistenceErrorCode, isPersistenceError } from './errors.js';
export {
  createDataSource,
  dataSourceOptions,
  databaseKind,
  migrate,
  parseDatabaseUrl,
  MIGRATIONS_TABLE,
  POSTGRES_MIGRATIONS,
  SQLITE_MIGRATIONS,
  type DatabaseKind,
  type DatabaseLocation,
  type PersistenceOptions,
} from './data-source.js';
export { schemaDiff, type SchemaDiff } from './schema-check.js';
export { openStores, type OpenStoresOptions, type Stores } from './open-stores.js';
export { MAX_PAGE_SIZE } from './cursor.js';
export { API_KEY_PREFIX_LENGTH, API_KEY_SECRET_LENGTH, API_KEY_SECRET_PREFIX } from './stores/api-key.store.js';
export * from './entities/index.js';
