import { JOB_STATUSES, MAX_PAGE_SIZE, type JobStatus } from '@rstar/persistence';
import { Option, type Command } from 'commander';
import { CliUsageError, numberOption } from './cli-errors.js';
import { chooseDatabaseUrl, DATABASE_ENV, JobDatabaseError, openJobDatabase, type JobDatabase } from './job-database.js';
import { formatJobDetails, formatJobTable } from './job-printer.js';
import { formatTrajectory, formatTree } from './tree-printer.js';

interface DatabaseOptions {
  database?: string;
}

interface ListOptions extends DatabaseOptions {
  status?: JobStatus;
  limit: number;
  json: boolean;
}

interface ShowOptions extends DatabaseOptions {
  json: boolean;
  showTree: boolean;
}

/** `--database <url>` as `rstar solve` and `rstar jobs` take it. */
export function databaseOption(): Option {
  return new Option('--database <url>', 'where jobs, models and training sets are stored: sqlite:<path> or postgres://… (default: sqlite:<RSTAR_HOME>/.rstar/rstar.db)').env(DATABASE_ENV);
}

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('Solves stored by rstar solve: list them, show one with its best trajectory');
  jobs
    .command('list')
    .description('List stored solve jobs, newest first')
    .addOption(databaseOption())
    .addOption(new Option('--status <status>', 'only jobs in this state').choices(JOB_STATUSES))
    .option('--limit <n>', `how many jobs (at most ${MAX_PAGE_SIZE})`, numberOption('--limit'), 20)
    .option('--json', 'print {total, jobs} as JSON', false)
    .action(async (options: ListOptions) => {
      if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_PAGE_SIZE) {
        throw new CliUsageError(`--limit: expected an integer from 1 to ${MAX_PAGE_SIZE}`);
      }
      await withDatabase(options, async (db) => {
        const page = await db.stores.jobs.list({ first: options.limit, status: options.status ?? null });
        process.stdout.write(options.json ? `${JSON.stringify({ total: page.total, jobs: page.items }, null, 2)}\n` : `${formatJobTable(page.items, page.total)}\n`);
      });
    });
  jobs
    .command('show')
    .description('Show a stored job and its best trajectory')
    .argument('<id>', 'the job id (rstar jobs list, or the one rstar solve printed)')
    .addOption(databaseOption())
    .option('--json', 'print {job, tree} as JSON (the tree: every node)', false)
    .option('--show-tree', 'also print every node of the tree', false)
    .action(async (id: string, options: ShowOptions) => {
      await withDatabase(options, async (db) => {
        const job = await db.stores.jobs.get(id);
        if (!job) throw new JobDatabaseError(`no job ${id} in ${db.where}`);
        const tree = await db.stores.trees.get(id);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ job, tree }, null, 2)}\n`);
          return;
        }
        const out = [formatJobDetails(job), ''];
        if (!tree) out.push(`No tree stored (the job is ${job.status}).`);
        else {
          out.push(formatTrajectory({ nodes: tree.nodes, bestTrajectory: tree.bestTrajectory, answer: job.answer }));
          if (options.showTree) out.push('', 'Tree:', formatTree(tree));
        }
        process.stdout.write(`${out.join('\n')}\n`);
      });
    });
}

async function withDatabase(options: DatabaseOptions, use: (db: JobDatabase) => Promise<void>): Promise<void> {
  const db = await openJobDatabase(chooseDatabaseUrl(options.database), 'read');
  try {
    await use(db);
  } finally {
    await db.close();
  }
}
