import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { manifestPathFor, PPM_PAIR_MANIFEST_SCHEMA, PpmPairManifestSchema, SFT_MANIFEST_SCHEMA, SftManifestSchema } from '@rstar/curation';
import type { NewTrainingSet, TrainingSetKind, TrainingSetRecord } from '@rstar/persistence';
import type { z } from 'zod';
import { errorText, openJobDatabase } from './job-database.js';

/** A manifest that cannot be read, does not parse, or does not match its JSONL: one line, exit 1. */
export class TrainingSetManifestError extends Error {
  override readonly name = 'TrainingSetManifestError';
}

/** The manifest schemas we register, by their `schema` field. */
const MANIFESTS: Record<string, { kind: TrainingSetKind; schema: z.ZodType<{ name: string; round: number; records: number }> }> = {
  [SFT_MANIFEST_SCHEMA]: { kind: 'sft', schema: SftManifestSchema },
  [PPM_PAIR_MANIFEST_SCHEMA]: { kind: 'ppm-pairs', schema: PpmPairManifestSchema },
};

const MANIFEST_SUFFIX = '.manifest.json';

/** `runs/r0/sft.manifest.json` → `runs/r0/sft.jsonl`: the inverse of @rstar/curation's manifestPathFor. */
export function dataPathFor(manifestPath: string): string {
  const data = `${manifestPath.slice(0, -MANIFEST_SUFFIX.length)}.jsonl`;
  if (!manifestPath.endsWith(MANIFEST_SUFFIX) || manifestPathFor(data) !== manifestPath) {
    throw new TrainingSetManifestError(`${manifestPath}: a manifest's name ends in ${MANIFEST_SUFFIX}, beside its .jsonl`);
  }
  return data;
}

/** Lines with something on them: what a JSONL file's record count is. Streamed (pair sets can be large). */
async function countRecords(path: string): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') count++;
  return count;
}

/**
 * Reads a training set's manifest and checks it against its JSONL (present, with as many records as the
 * manifest says). The whole manifest becomes the set's metadata; the uri is the JSONL's absolute path.
 */
export async function readTrainingSetManifest(manifestPath: string): Promise<NewTrainingSet> {
  const dataPath = dataPathFor(manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    throw new TrainingSetManifestError(`cannot read manifest ${manifestPath}: ${errorText(error)}`, { cause: error });
  }
  const declared = typeof json === 'object' && json !== null && 'schema' in json ? String(json.schema) : '(none)';
  const known = MANIFESTS[declared];
  if (!known) throw new TrainingSetManifestError(`${manifestPath}: unknown manifest schema ${declared} (expected one of ${Object.keys(MANIFESTS).join(', ')})`);
  const parsed = known.schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TrainingSetManifestError(`${manifestPath}: ${issues}`);
  }
  let records: number;
  try {
    records = await countRecords(dataPath);
  } catch (error) {
    throw new TrainingSetManifestError(`cannot read ${dataPath} (the data of ${manifestPath}): ${errorText(error)}`, { cause: error });
  }
  const manifest = parsed.data;
  if (records !== manifest.records) throw new TrainingSetManifestError(`${manifestPath} says ${manifest.records} records, but ${dataPath} has ${records}`);
  return { name: manifest.name, kind: known.kind, uri: resolve(dataPath), round: manifest.round, recordCount: records, metadata: json as Record<string, unknown> };
}

export interface RegisteredTrainingSet {
  trainingSet: TrainingSetRecord;
  /** The database, for messages: a file path or the URL without its password. */
  where: string;
}

/**
 * Registers (or, by name, re-registers) the training set a manifest describes in the job database — what
 * `rstar bootstrap` calls after writing sft.jsonl and sft.manifest.json. `databaseUrl`: chooseDatabaseUrl(--database).
 */
export async function registerTrainingSet(databaseUrl: string, manifestPath: string): Promise<RegisteredTrainingSet> {
  const set = await readTrainingSetManifest(manifestPath);
  const db = await openJobDatabase(databaseUrl, 'write');
  try {
    return { trainingSet: await db.stores.trainingSets.register(set), where: db.where };
  } finally {
    await db.close();
  }
}

/**
 * Registers the set a command just wrote and says so on stdout; a registration that fails is a warning on stderr
 * and exit code 1 (the files are written). Returns the exit code.
 */
export async function registerWrittenSet(databaseUrl: string, manifestPath: string): Promise<number> {
  try {
    const { trainingSet, where } = await registerTrainingSet(databaseUrl, manifestPath);
    process.stdout.write(`registered training set ${trainingSet.name} (${trainingSet.recordCount} records) in ${where}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`rstar: warning: training set not registered: ${errorText(error)}\n`);
    return 1;
  }
}
