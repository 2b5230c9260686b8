import { existsSync } from 'node:fs';
import { TRAINING_SET_KINDS, type TrainingSetKind, type TrainingSetRecord } from '@rstar/persistence';
import { Option, type Command } from 'commander';
import pc from 'picocolors';
import { chooseDatabaseUrl, describeDatabase, openJobDatabase, parseDatabaseOption } from './job-database.js';
import { formatTime } from './job-printer.js';
import { databaseOption } from './jobs.command.js';
import { formatTable } from './table-printer.js';

interface DatasetsOptions {
  database?: string;
  kind?: TrainingSetKind;
  json: boolean;
}

/** `rstar datasets`: one row per registered training set, in the store's order (round, then name). */
export function formatTrainingSetTable(sets: readonly TrainingSetRecord[], where: string, kind?: TrainingSetKind): string {
  if (sets.length === 0) return pc.dim(`No ${kind ? `${kind} ` : ''}training sets registered in ${where} (rstar bootstrap registers the set it writes).`);
  const command = (s: TrainingSetRecord): string => (typeof s.metadata['command'] === 'string' ? s.metadata['command'] : '-');
  const rows = sets.map((s) => [s.name, s.kind, String(s.round), String(s.recordCount), formatTime(s.createdAt), s.uri, command(s)]);
  return formatTable(['NAME', 'KIND', 'ROUND', 'RECORDS', 'CREATED', 'URI', 'COMMAND'], rows);
}

export function registerDatasetsCommand(program: Command): void {
  program
    .command('datasets')
    .description('List the registered training sets (policy SFT traces, PPM pairs): records, file and the command that made each')
    .addOption(databaseOption())
    .addOption(new Option('--kind <kind>', 'only training sets of this kind').choices(TRAINING_SET_KINDS))
    .option('--json', 'print {trainingSets} as JSON, each with its manifest', false)
    .action(async (options: DatasetsOptions) => {
      const url = chooseDatabaseUrl(options.database);
      const location = parseDatabaseOption(url);
      let sets: TrainingSetRecord[] = [];
      // Nothing was ever stored: an empty list, without creating the database file.
      if (location.kind === 'postgres' || location.path === ':memory:' || existsSync(location.path)) {
        const db = await openJobDatabase(url, 'read');
        try {
          sets = await db.stores.trainingSets.list(options.kind ?? null);
        } finally {
          await db.close();
        }
      }
      process.stdout.write(options.json ? `${JSON.stringify({ trainingSets: sets }, null, 2)}\n` : `${formatTrainingSetTable(sets, describeDatabase(location), options.kind)}\n`);
    });
}
