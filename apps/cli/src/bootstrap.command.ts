import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { manifestPathFor, sftManifest, verifyWorkedSolution, type DropReason, type WorkedProblem } from '@rstar/curation';
import { SandboxPool } from '@rstar/sandbox';
import { sharedDataDir } from '@rstar/workspace';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import PQueue from 'p-queue';
import { CliUsageError, numberOption } from './cli-errors.js';
import { commandLine } from './command-line.js';
import { chooseDatabaseUrl, parseDatabaseOption } from './job-database.js';
import { databaseOption } from './jobs.command.js';
import { startGrader } from './solver-runtime.js';
import { registerWrittenSet } from './training-set-registry.js';
import { readAnsweredProblems } from './problem-input.js';

const UNCONVERTED: readonly DropReason[] = ['no-solution', 'empty-solution', 'no-annotations'];

interface BootstrapOptions {
  problems: string;
  out: string;
  name?: string;
  limit?: number;
  concurrency: number;
  progress: boolean;
  database?: string;
  store: boolean;
}

export function registerBootstrapCommand(program: Command): void {
  program
    .command('bootstrap')
    .description("Round 0 (METHOD.md §6a): turn GSM8K's worked solutions into verified code-augmented SFT traces")
    .option('--problems <path>', 'problems with worked solutions and answers (JSONL, GSM8K format)', join(sharedDataDir(), 'gsm8k', 'train.jsonl'))
    .option('-o, --out <dir>', 'output directory: sft.jsonl, sft.manifest.json, dropped.jsonl', 'runs/r0')
    .option('--name <name>', 'name the training set is registered under (default: <out dir name>-sft)')
    .option('--limit <n>', 'convert only the first n problems', numberOption('--limit'))
    .option('--concurrency <n>', 'programs run in the sandbox at once', numberOption('--concurrency'), 4)
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(databaseOption())
    .option('--no-store', 'do not register the training set (rstar datasets lists registered sets)')
    .action(async (options: BootstrapOptions) => {
      process.exitCode = await bootstrap(options, process.argv.slice(2));
    });
}

async function bootstrap(o: BootstrapOptions, argv: readonly string[]): Promise<number> {
  if (!existsSync(o.problems)) throw new CliUsageError(`cannot read ${o.problems}: no such file`);
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new CliUsageError('--limit: expected a positive integer');
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) throw new CliUsageError('--concurrency: expected an integer from 1 to 64');
  const databaseUrl = o.store ? chooseDatabaseUrl(o.database) : null;
  if (databaseUrl !== null) parseDatabaseOption(databaseUrl);

  const read = await readAnsweredProblems(o.problems, o.limit);
  const { badLines } = read;
  const problems: WorkedProblem[] = read.problems.map((r) => ({ id: r.id, problem: r.problem, solution: r.solution ?? '', answer: r.answer ?? '' }));

  mkdirSync(o.out, { recursive: true });
  const sftPath = join(o.out, 'sft.jsonl');
  const droppedPath = join(o.out, 'dropped.jsonl');
  // Written beside the final files and renamed at the end: an interrupted run leaves the last complete set.
  const sft = createWriteStream(`${sftPath}.partial`);
  const dropped = createWriteStream(`${droppedPath}.partial`);
  const counts: Record<string, number> = { problems: problems.length, converted: 0, verified: 0, literalFallbacks: 0 };
  const dropCounts: Partial<Record<DropReason, number>> = {};
  const bar = progressBar(o.progress, problems.length);

  const sandbox = await SandboxPool.start();
  const grader = startGrader();
  const started = Date.now();
  try {
    const queue = new PQueue({ concurrency: o.concurrency });
    // Records are written in problem order whatever order the runs finish in, so reruns give identical files.
    const results = problems.map((p) =>
      queue.add(async () => {
        const r = await verifyWorkedSolution(p, { sandbox, grader });
        bar.increment(r.ok);
        return r;
      }),
    );
    for (const [i, pending] of results.entries()) {
      const r = await pending;
      const p = problems[i] as WorkedProblem;
      if (r.ok) {
        counts['verified'] = (counts['verified'] ?? 0) + 1;
        counts['literalFallbacks'] = (counts['literalFallbacks'] ?? 0) + r.literalFallbacks;
        await write(sft, `${JSON.stringify(r.record)}\n`);
      } else {
        dropCounts[r.reason] = (dropCounts[r.reason] ?? 0) + 1;
        await write(dropped, `${JSON.stringify({ id: p.id, reason: r.reason, detail: r.detail })}\n`);
      }
    }
  } finally {
    bar.stop();
    await Promise.all([close(sft), close(dropped)]);
    await sandbox.close();
    await grader.close();
  }
  renameSync(`${sftPath}.partial`, sftPath);
  renameSync(`${droppedPath}.partial`, droppedPath);

  const verified = counts['verified'] ?? 0;
  // Converted: a program came out (it may still fail to run or give another answer).
  counts['converted'] = problems.length - UNCONVERTED.reduce((sum, reason) => sum + (dropCounts[reason] ?? 0), 0);
  const name = o.name ?? `${resolve(o.out).split('/').at(-1) ?? 'r0'}-sft`;
  const manifest = sftManifest({
    name,
    round: 0,
    records: verified,
    command: commandLine(argv),
    problems: o.problems,
    counts: { ...counts, ...Object.fromEntries(Object.entries(dropCounts).map(([k, v]) => [`dropped.${k}`, v])), badLines },
  });
  writeFileSync(manifestPathFor(sftPath), `${JSON.stringify(manifest, null, 2)}\n`);

  const pct = (n: number): string => `${((100 * n) / problems.length).toFixed(1)}%`;
  const droppedLine = Object.entries(dropCounts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  process.stdout.write(
    [
      `problems ${problems.length} · converted ${counts['converted']} (${pct(counts['converted'] ?? 0)}) · verified ${verified} (${pct(verified)}) · dropped ${problems.length - verified}${droppedLine ? ` (${droppedLine})` : ''}`,
      `wrote ${sftPath} (${verified} traces), ${manifestPathFor(sftPath)}, ${droppedPath} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      '',
    ].join('\n'),
  );
  if (databaseUrl !== null && (await registerWrittenSet(databaseUrl, manifestPathFor(sftPath))) !== 0) return 1;
  return badLines > 0 ? 1 : 0;
}

interface VerifyBar {
  increment(verified: boolean): void;
  stop(): void;
}

function progressBar(enabled: boolean, total: number): VerifyBar {
  if (!enabled) return { increment: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: 'bootstrap {bar} {value}/{total} · verified {verified} · ETA {eta_formatted}', hideCursor: true, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  let verified = 0;
  bar.start(total, 0, { verified });
  return {
    increment: (ok) => {
      if (ok) verified++;
      bar.increment(1, { verified });
    },
    stop: () => bar.stop(),
  };
}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((res, rej) => stream.write(text, (e) => (e ? rej(e) : res())));
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((res) => stream.end(() => res()));
}
