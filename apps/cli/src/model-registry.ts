import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasuredModelMetric } from '@rstar/eval';
import { chooseModel, findCatalogModel, listModels, MODEL_METADATA_FILE, recordModelMetric, trainedModelRecord, type ModelChoice, type ModelEntry } from '@rstar/model-server';
import type { ModelRecord, ModelStore } from '@rstar/persistence';
import { chooseDatabaseUrl, errorText, openJobDatabase } from './job-database.js';

/**
 * Registers the trained model in `dir` (metadata.json + model.gguf, or adapter.gguf over its base) in the CLI's
 * database: `database` as `--database` takes it, else RSTAR_DATABASE_URL, else `.rstar/rstar.db`.
 * Throws one-line errors: invalid metadata or missing weights (ModelNotFoundError / InvalidModelMetadataError), or a
 * database that cannot be opened (JobDatabaseError).
 */
export async function registerTrainedModel(dir: string, database?: string): Promise<ModelRecord> {
  const record = trainedModelRecord(dir);
  const db = await openJobDatabase(chooseDatabaseUrl(database ?? process.env['RSTAR_DATABASE_URL']), 'write');
  try {
    return await db.stores.models.register(record);
  } finally {
    await db.close();
  }
}

/**
 * The known models for a command that may not write: the database when it exists (read-only), plus the shipped
 * policies. A database that cannot be read is a warning, not a failure: the shipped policies still count.
 */
export async function readKnownModels(database: string | undefined, warn: (line: string) => void): Promise<ModelEntry[]> {
  const url = chooseDatabaseUrl(database);
  let stores: ModelStore | null = null;
  let close = (): Promise<void> => Promise.resolve();
  if (databaseMayExist(url)) {
    try {
      const db = await openJobDatabase(url, 'read');
      stores = db.stores.models;
      close = () => db.close();
    } catch (error) {
      warn(`rstar: warning: registered models not read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    const { entries, problems } = await listModels(stores);
    for (const p of problems) warn(`rstar: warning: ${p}`);
    return entries;
  } finally {
    await close();
  }
}

/** False only for a SQLite file that is not there: opening it would create an empty database. */
function databaseMayExist(url: string): boolean {
  return !url.startsWith('sqlite:') || existsSync(url.slice('sqlite:'.length));
}

/**
 * A finished evaluation's measurement (`modelMetric`) of a trained model directory goes into its metadata.json (`metrics.<benchmark>.<method>`)
 * and, where the database registers that same directory, into its record: `rstar solve` ranks policies by it.
 * Returns what was done, in a line; a database that cannot be updated is a warning (the run itself is done).
 */
export async function recordEvaluation(
  dir: string,
  measured: MeasuredModelMetric,
  database: string | undefined,
  warn: (line: string) => void,
): Promise<string> {
  const where = `metrics.${measured.path.join('.')}`;
  const file = join(dir, MODEL_METADATA_FILE);
  const outcome = recordModelMetric(dir, measured.path, measured.metric);
  if (!outcome.recorded) return `not recorded: ${file} keeps its ${where}, measured on ${outcome.keptProblems} problems (this run: ${measured.metric.problems})`;
  let line = `recorded ${where} in ${file}`;
  const url = chooseDatabaseUrl(database);
  if (!databaseMayExist(url)) return line;
  try {
    const db = await openJobDatabase(url, 'write');
    try {
      const record = trainedModelRecord(dir);
      const registered = await db.stores.models.get(record.name);
      if (registered !== null && registered.uri === record.uri) {
        await db.stores.models.register(record);
        line += ` and in the registered model ${record.name}`;
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    warn(`rstar: warning: the registered model was not updated: ${errorText(error)}`);
  }
  return line;
}

/**
 * `chooseModel` for a command line: the known models are read (read-only) only when they matter, that is when no
 * model is given or the one given is neither a catalog name nor a file or directory. The status line goes to `status`.
 */
export async function chooseCommandModel(requested: string | undefined, database: string | undefined, status: (line: string) => void): Promise<ModelChoice> {
  const direct = requested !== undefined && (findCatalogModel(requested) !== undefined || requested.endsWith('.gguf') || existsSync(requested));
  const entries = direct ? [] : await readKnownModels(database, status);
  const choice = chooseModel(requested, entries);
  if (choice.statusLine !== null) status(choice.statusLine);
  return choice;
}
