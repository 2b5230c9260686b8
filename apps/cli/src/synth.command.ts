import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manifestPathFor, ppmPairManifest, runSynthesis, sftManifest, SYNTHESIS_FILES, type SynthesisProgress } from '@rstar/curation';
import { RunOptionsMismatchError, type RunOptions } from '@rstar/eval';
import { sharedDataDir } from '@rstar/workspace';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { CliUsageError, numberOption, resumeMismatchError } from './cli-errors.js';
import { commandLine } from './command-line.js';
import { chooseDatabaseUrl, parseDatabaseOption } from './job-database.js';
import { databaseOption } from './jobs.command.js';
import { chooseCommandModel } from './model-registry.js';
import { status } from './progress.js';
import { addSearchOptions, searchConfigFrom, type SearchFlags } from './search-options.js';
import { startSolverRuntime } from './solver-runtime.js';
import { registerWrittenSet } from './training-set-registry.js';
import { readAnsweredProblems } from './problem-input.js';

interface SynthOptions extends SearchFlags {
  problems: string;
  limit?: number;
  round: number;
  model?: string;
  policyUrl?: string;
  policyModel?: string;
  threads?: number;
  concurrency: number;
  extraRollouts: number;
  out?: string;
  name?: string;
  progress: boolean;
  database?: string;
  store: boolean;
}

export function registerSynthCommand(program: Command): void {
  const num = numberOption;
  const command = program
    .command('synth')
    .description('Data synthesis (METHOD.md §3-4): MCTS with ground-truth rewards over problems → search trees, SFT traces and PPM pairs')
    .option('--problems <path>', 'problems with reference answers (JSONL: id, problem|question, answer)', join(sharedDataDir(), 'gsm8k', 'train.jsonl'))
    .option('--limit <n>', 'only the first n problems', num('--limit'))
    .option('--round <n>', 'self-evolution round the data is for', num('--round'), 1)
    .option('--model <name|path>', 'embedded CPU policy: a trained model directory, a registered model name, smollm2-135m, gemma3-270m or a .gguf (default: the best trained policy)')
    .option('--policy-url <url>', 'search with this OpenAI-compatible completions server instead (vLLM, SGLang: a larger model, as the paper\'s round 1)')
    .option('--policy-model <name>', "model name to send to --policy-url (default: the server's first model)")
    .option('--threads <n>', 'CPU threads of the embedded model (default: all cores)', num('--threads'))
    .option('--concurrency <n>', 'trees searched at once against the one model server', num('--concurrency'), 4)
    .option('--extra-rollouts <n>', 'then search each problem left unsolved again with n rollouts (its new tree replaces the old); can be added to a finished run', num('--extra-rollouts'), 0)
    .option('-o, --out <dir>', 'output directory: run.json, trees.jsonl, sft.jsonl and pairs.jsonl (each with a manifest), summary.json; a rerun resumes (default: runs/r<round>)')
    .option('--name <name>', 'the sets are registered as <name>-sft and <name>-pairs (default: the out dir\'s name)');
  addSearchOptions(command)
    .option('--no-progress', 'no progress bar or status lines on stderr')
    .addOption(databaseOption())
    .option('--no-store', 'do not register the SFT and pair sets (rstar datasets lists registered sets)')
    .action(async (options: SynthOptions) => {
      process.exitCode = await synthesize(options, process.argv.slice(2));
    });
}

async function synthesize(o: SynthOptions, argv: readonly string[]): Promise<number> {
  if (!existsSync(o.problems)) throw new CliUsageError(`--problems: cannot read ${o.problems}: no such file`);
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new CliUsageError('--limit: expected a positive integer');
  if (!Number.isInteger(o.round) || o.round < 0) throw new CliUsageError('--round: expected an integer >= 0');
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) throw new CliUsageError('--concurrency: expected an integer from 1 to 64');
  if (!Number.isInteger(o.extraRollouts) || o.extraRollouts < 0 || o.extraRollouts > 1024) throw new CliUsageError('--extra-rollouts: expected an integer from 0 to 1024');
  const databaseUrl = o.store ? chooseDatabaseUrl(o.database) : null;
  if (databaseUrl !== null) parseDatabaseOption(databaseUrl);
  searchConfigFrom('mcts', o); // bad flags fail before the model is looked up
  const choice = o.policyUrl ? null : await chooseCommandModel(o.model, undefined, (m) => status(o.progress, m));
  const search = searchConfigFrom('mcts', { ...o, promptStyle: o.promptStyle ?? choice?.promptStyle ?? undefined });

  const { problems, badLines } = await readAnsweredProblems(o.problems, o.limit);

  const outDir = o.out ?? join('runs', `r${o.round}`);
  const options: RunOptions = {
    problems: resolve(o.problems),
    limit: o.limit ?? null,
    round: o.round,
    model: o.policyUrl ? null : (choice?.model ?? null),
    policyUrl: o.policyUrl ?? null,
    policyModel: o.policyUrl ? (o.policyModel ?? null) : null,
    rollouts: search.rollouts,
    width: search.width,
    maxDepth: search.maxDepth,
    cPuct: search.cPuct,
    maxConsecutiveErrors: search.maxConsecutiveErrors,
    endOnRepeatedStep: search.endOnRepeatedStep,
    temperature: search.temperature,
    topP: search.topP,
    maxStepTokens: search.maxStepTokens,
    seed: search.seed,
    promptStyle: search.promptStyle,
  };

  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runtime = await startSolverRuntime({
    model: choice?.model ?? o.model ?? '',
    policyUrl: o.policyUrl ?? null,
    policyModel: o.policyModel ?? null,
    threads: o.threads ?? null,
    onStatus: (m) => status(o.progress, m),
  });
  const bar = new SynthesisProgressBar(o.progress);
  try {
    status(o.progress, `searching ${problems.length} problems (MCTS, ${search.rollouts} rollouts, ${search.width} candidates per expansion) with ${runtime.description}, ${o.concurrency} at once → ${outDir}`);
    const summary = await runSynthesis(runtime, { outDir, round: o.round, problems, search, options, concurrency: o.concurrency, extraRollouts: o.extraRollouts, signal: abort.signal, onProgress: (p) => bar.update(p) }).catch((e: unknown) => {
      throw e instanceof RunOptionsMismatchError ? resumeMismatchError(outDir, e) : e;
    });
    bar.stop();
    const sftPath = join(outDir, SYNTHESIS_FILES.sft);
    const pairsPath = join(outDir, SYNTHESIS_FILES.pairs);
    const base = o.name ?? (resolve(outDir).split('/').at(-1) || `r${o.round}`);
    const common = { round: o.round, command: commandLine(argv), problems: o.problems };
    const counts = { problems: problems.length, attempted: summary.attempted, covered: summary.covered, traces: summary.traces, pairs: summary.pairs, extraAttempted: summary.extra.attempted, extraCovered: summary.extra.covered, ...summary.curation, badLines };
    writeFileSync(manifestPathFor(sftPath), `${JSON.stringify(sftManifest({ ...common, name: `${base}-sft`, records: summary.traces, counts }), null, 2)}\n`);
    writeFileSync(manifestPathFor(pairsPath), `${JSON.stringify(ppmPairManifest({ ...common, name: `${base}-pairs`, records: summary.pairs, counts }), null, 2)}\n`);
    const pct = (n: number): string => `${((100 * n) / Math.max(1, summary.attempted)).toFixed(1)}%`;
    process.stdout.write(
      [
        `round ${o.round} · problems ${summary.attempted}/${problems.length} · covered ${summary.covered} (${pct(summary.covered)})${summary.extra.attempted > 0 ? ` (${summary.extra.covered} of them by ${summary.extra.attempted} extra searches)` : ''} · SFT traces ${summary.traces} · PPM pairs ${summary.pairs} · ${summary.tokens.completion} tokens generated · ${(summary.wallMs / 1000).toFixed(0)} s${summary.sessionWallMs < summary.wallMs ? ` (${(summary.sessionWallMs / 1000).toFixed(0)} s in this session)` : ''}`,
        `wrote ${join(outDir, SYNTHESIS_FILES.trees)}, ${sftPath} and ${pairsPath} (each with its manifest), ${join(outDir, SYNTHESIS_FILES.summary)}`,
        '',
      ].join('\n'),
    );
    if (!summary.complete) {
      process.stderr.write(`rstar: interrupted after ${summary.attempted} of ${problems.length} problems: rerun the same command to resume\n`);
      return 130;
    }
    let registered = 0;
    if (databaseUrl !== null) for (const path of [sftPath, pairsPath]) registered += await registerWrittenSet(databaseUrl, manifestPathFor(path));
    return registered !== 0 || badLines > 0 ? 1 : 0;
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.close();
  }
}

/** Progress of a synthesis on stderr: a bar with coverage, traces, pairs and ETA on a terminal, a line per tree otherwise. */
class SynthesisProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  private pass: 1 | 2 = 1;

  constructor(private readonly enabled: boolean) {}

  update(p: SynthesisProgress): void {
    if (!this.enabled) return;
    const label = p.pass === 1 ? 'synth' : 'extra';
    const payload = { label, covered: p.covered, traces: p.traces, pairs: p.pairs, tokens: p.completionTokens };
    if (!process.stderr.isTTY) {
      if (p.done > 0) process.stderr.write(`${label} ${p.done}/${p.total} · covered ${p.covered} · traces ${p.traces} · pairs ${p.pairs} · ${p.completionTokens} tokens\n`);
      return;
    }
    // The second pass (extra searches of unsolved problems) gets a bar of its own.
    if (this.bar && p.pass !== this.pass) this.stop();
    this.pass = p.pass;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: '{label} {bar} {value}/{total} · covered {covered} · traces {traces} · pairs {pairs} · {tokens} tokens · ETA {eta_formatted}', hideCursor: true, stream: process.stderr, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.total, p.done, payload);
    }
    this.bar.update(p.done, payload);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
