import { MODEL_KINDS, type ModelKind } from '@rstar/persistence';
import { Option, type Command } from 'commander';
import { chooseDatabaseUrl } from './job-database.js';
import { databaseOption } from './jobs.command.js';
import { bestPolicy, RANKING_METRIC, rankingScore, type ModelEntry } from '@rstar/model-server';
import { readKnownModels, registerTrainedModel } from './model-registry.js';
import { formatTable } from './table-printer.js';

interface ListOptions {
  json: boolean;
  kind?: ModelKind;
  database?: string;
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('Trained models: list them with their lineage, register one');
  models
    .command('list', { isDefault: true })
    .description('List models with their lineage (base, round, datasets, metrics): registered ones and the policies shipped in policies/')
    .addOption(new Option('--kind <kind>', 'only models of this kind').choices(MODEL_KINDS))
    .option('--json', 'print the models as JSON', false)
    .addOption(databaseOption())
    .action(async (options: ListOptions) => {
      const warn = (line: string): void => void process.stderr.write(`${line}\n`);
      const all = await readKnownModels(options.database, warn);
      const entries = options.kind === undefined ? all : all.filter((e) => e.kind === options.kind);
      const best = bestPolicy(all);
      if (options.json) {
        const rows = entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString(), default: e === best }));
        process.stdout.write(`${JSON.stringify({ models: rows, rankingMetric: `metrics.${RANKING_METRIC.path.join('.')}` }, null, 2)}\n`);
        return;
      }
      const none = options.kind === undefined ? undefined : `No ${options.kind} models.`;
      process.stdout.write(`${formatModelTable(entries, best, none)}\n`);
    });
  models
    .command('register')
    .description('Register a trained model directory (metadata.json + model.gguf, or adapter.gguf over its base)')
    .argument('<dir>', 'the model directory, e.g. models/policy-r0')
    .addOption(databaseOption())
    .action(async (dir: string, options: { database?: string }) => {
      const record = await registerTrainedModel(dir, chooseDatabaseUrl(options.database));
      process.stdout.write(`registered ${record.kind} ${record.name} (round ${record.round}) at ${record.uri}\n`);
    });
}

/** One line per model; `*` marks the policy `rstar solve` uses by default. */
export function formatModelTable(entries: readonly ModelEntry[], best: ModelEntry | null, none?: string): string {
  if (entries.length === 0) return none ?? 'No models registered yet: `rstar train policy …` registers the policies it trains (see README).';
  const head = ['', 'NAME', 'KIND', 'ROUND', 'BASE', 'METHOD', 'DATASETS', RANKING_METRIC.label.toUpperCase(), 'SOURCE', 'URI'];
  const rows = entries.map((e) => {
    const score = rankingScore(e.metadata);
    return [
      e === best ? '*' : '',
      e.name,
      e.kind,
      String(e.round),
      text(e.metadata['base']),
      text(e.metadata['method']),
      datasets(e.metadata['datasets']),
      score === null ? '-' : `${(100 * score).toFixed(1)}%`,
      e.source,
      e.uri,
    ];
  });
  const footer = best ? `\n* the default of rstar solve (highest ${RANKING_METRIC.label} accuracy, then newest)` : '';
  return formatTable(head, rows) + footer;
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '-';
}

/** Dataset ids: strings, or objects with a name or id. */
function datasets(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return '-';
  return value
    .map((d: unknown) => {
      if (typeof d === 'string') return d;
      if (typeof d === 'object' && d !== null) {
        const o = d as Record<string, unknown>;
        return text(o['name'] ?? o['id'] ?? o['uri']);
      }
      return '-';
    })
    .join(',');
}
