import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { manifestPathFor, ppmPairManifest, sftManifest, SYNTHESIS_FILES } from '@rstar/curation';
import { MAX_PAGE_SIZE, type CuratedKind, type CurationStore, type CurationSummary } from '@rstar/persistence';
import type { Command } from 'commander';
import { CliUsageError, numberOption } from './cli-errors.js';
import { commandLine } from './command-line.js';
import { chooseDatabaseUrl, openJobDatabase, parseDatabaseOption } from './job-database.js';
import { databaseOption } from './jobs.command.js';
import { registerWrittenSet } from './training-set-registry.js';

interface CuratedOptions {
  round: number;
  out?: string;
  name?: string;
  database?: string;
  store: boolean;
}

/** Writes every record of one kind and round as JSONL, page by page (a round holds many thousand pairs). */
async function writeRecords(store: CurationStore, kind: CuratedKind, round: number, path: string): Promise<number> {
  const out = createWriteStream(path, 'utf8');
  let written = 0;
  let after: string | null = null;
  try {
    do {
      const page = await store.records(kind, round, { first: MAX_PAGE_SIZE, after });
      for (const r of page.items) {
        if (!out.write(`${JSON.stringify(r.record)}\n`)) await once(out, 'drain');
        written++;
      }
      after = page.nextCursor;
    } while (after !== null);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return written;
}

export function formatCurationSummary(s: CurationSummary, where: string): string {
  return `round ${s.round} in ${where}: ${s.trees} trees of ${s.problems} problems · covered ${s.covered} · SFT traces ${s.traces} · PPM pairs ${s.pairs}`;
}

export function registerCuratedCommand(program: Command): void {
  program
    .command('curated')
    .description('What the curation service stored for a round (the deployment\'s trees, curated once each); with --out, the SFT and pair sets as JSONL for the trainers')
    .requiredOption('--round <n>', 'self-evolution round', numberOption('--round'))
    .option('-o, --out <dir>', 'write sft.jsonl and pairs.jsonl (each with its manifest) here and register both sets')
    .option('--name <name>', 'the sets are registered as <name>-sft and <name>-pairs (default: the out dir\'s name)')
    .addOption(databaseOption())
    .option('--no-store', 'do not register the written sets')
    .action(async (o: CuratedOptions) => {
      process.exitCode = await runCurated(o);
    });
}

async function runCurated(o: CuratedOptions): Promise<number> {
  if (!Number.isInteger(o.round) || o.round < 0) throw new CliUsageError('--round: expected an integer >= 0');
  const url = chooseDatabaseUrl(o.database);
  parseDatabaseOption(url);
  const db = await openJobDatabase(url, o.out ? 'write' : 'read');
  let paths: string[] = [];
  try {
    const summary = await db.stores.curation.summary(o.round);
    process.stdout.write(`${formatCurationSummary(summary, db.where)}\n`);
    if (!o.out) return 0;
    mkdirSync(o.out, { recursive: true });
    const sftPath = join(o.out, SYNTHESIS_FILES.sft);
    const pairsPath = join(o.out, SYNTHESIS_FILES.pairs);
    const traces = await writeRecords(db.stores.curation, 'sft', o.round, sftPath);
    const pairs = await writeRecords(db.stores.curation, 'pair', o.round, pairsPath);
    const base = o.name ?? (o.out.replace(/\/+$/, '').split('/').at(-1) || `r${o.round}`);
    const common = { round: o.round, command: commandLine(), problems: `curated trees in ${db.where}`, counts: { trees: summary.trees, problems: summary.problems, covered: summary.covered, traces, pairs } };
    writeFileSync(manifestPathFor(sftPath), `${JSON.stringify(sftManifest({ ...common, name: `${base}-sft`, records: traces }), null, 2)}\n`);
    writeFileSync(manifestPathFor(pairsPath), `${JSON.stringify(ppmPairManifest({ ...common, name: `${base}-pairs`, records: pairs }), null, 2)}\n`);
    process.stdout.write(`wrote ${sftPath} (${traces} traces) and ${pairsPath} (${pairs} pairs), each with its manifest\n`);
    paths = o.store ? [sftPath, pairsPath] : [];
  } finally {
    await db.close();
  }
  let failed = 0;
  for (const path of paths) failed += await registerWrittenSet(url, manifestPathFor(path));
  return failed === 0 ? 0 : 1;
}
