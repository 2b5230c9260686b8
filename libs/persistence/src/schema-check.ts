import type { DataSource } from 'typeorm';

export interface SchemaDiff {
  /** What would bring the database to the entities (empty when the migrations are up to date). */
  up: { query: string; parameters?: unknown[] }[];
  /** The reverse, in the order to run it. */
  down: { query: string; parameters?: unknown[] }[];
}

/**
 * The difference between the database behind an initialized DataSource and the entities, from TypeORM's schema
 * builder (the same as `typeorm migration:generate`). After `migrate`, `up` is empty unless the migrations are
 * stale: the check CI runs, and how `scripts/generate-migration.ts` writes a new migration.
 */
export async function schemaDiff(dataSource: DataSource): Promise<SchemaDiff> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  const strip = (q: { query: string; parameters?: unknown[] }) => (q.parameters?.length ? { query: q.query, parameters: q.parameters } : { query: q.query });
  return { up: log.upQueries.map(strip), down: log.downQueries.map(strip).reverse() };
}
