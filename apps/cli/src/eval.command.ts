import { basename, join } from 'node:path';
import {
  codeVersion,
  EVAL_METHODS,
  EvalInputError,
  loadProblems,
  modelMetric,
  openRunDirectory,
  pythonPackageVersion,
  resolveBenchmark,
  runEvaluation,
  RunOptionsMismatchError,
  type EvalMethod,
  type EvalRunSpec,
  type ProblemRecord,
} from '@rstar/eval';
import { resolveModel } from '@rstar/model-server';
import { sharedDataDir, venvPython, workspaceRoot } from '@rstar/workspace';
import { Option, type Command } from 'commander';
import { CliUsageError, numberOption, resumeMismatchError } from './cli-errors.js';
import { EvalProgressBar } from './eval-progress.js';
import { commandLine } from './command-line.js';
import { chooseCommandModel, recordEvaluation } from './model-registry.js';
import { status } from './progress.js';
import { addSearchOptions, searchConfigFrom, type SearchFlags } from './search-options.js';
import { startSolverRuntime } from './solver-runtime.js';

/**
 * Problems solved at once: the CPU server's 4 parallel sequences, which decode in the same batches. Measured on
 * the shared 2-core machine (smollm2-135m, greedy, GSM8K test 1-5, 48-token steps, depth 3, the same 487 tokens
 * each time; other jobs competing, so two rounds): 1 → 377 / 347 s, 2 → 379 / 195 s, 4 → 197 / 253 s.
 */
export const DEFAULT_CONCURRENCY = 4;
/** Samples of maj@k (METHOD.md's maj@8 row). */
const DEFAULT_K = 8;

interface EvalOptions extends SearchFlags {
  benchmark: string;
  limit?: number;
  solutionLines?: number;
  method: EvalMethod;
  k?: number;
  model?: string;
  policyUrl?: string;
  policyModel?: string;
  threads?: number;
  concurrency: number;
  out?: string;
  progress: boolean;
}

/** Flags of the recorded run options that are not search options, for the resume message. */
const EVAL_FLAGS: Record<string, string> = {
  benchmark: '--benchmark',
  benchmarkFile: '--benchmark',
  limit: '--limit',
  solutionLines: '--solution-lines',
  method: '--method',
  k: '--k',
  model: '--model',
};

export function registerEvalCommand(program: Command): void {
  const num = numberOption;
  const command = program
    .command('eval')
    .description('Measure a policy on a benchmark: accuracy with a 95% CI, per-problem results (resumable), a JSON and Markdown report')
    .requiredOption('-b, --benchmark <name|file>', 'gsm8k, math500, aime24, amc23 (the shared test sets) or a JSONL problem file with answers')
    .option('--limit <n>', 'only the first n problems (after --solution-lines)', num('--limit'))
    .option('--solution-lines <n>', 'only problems whose worked solution has exactly n lines (GSM8K: 326 test problems have 2)', num('--solution-lines'))
    .addOption(new Option('--method <method>', 'greedy decoding, majority vote of k samples, or a search').choices(EVAL_METHODS).default('greedy'))
    .option('--k <n>', `samples voted on by maj@k (default ${DEFAULT_K})`, num('--k'))
    .option('--model <name|path>', 'embedded CPU model: smollm2-135m, gemma3-270m, a .gguf path, a trained model directory or a registered model name (default: the best trained policy, as rstar solve; else smollm2-135m)')
    .option('--policy-url <url>', 'evaluate this OpenAI-compatible completions server (vLLM, SGLang, llama.cpp) instead of the embedded model')
    .option('--policy-model <name>', "model name to send to --policy-url (default: the server's first model)")
    .option('--threads <n>', 'CPU threads of the embedded model (default: all cores)', num('--threads'))
    .option('--concurrency <n>', 'problems solved at once against the one model server, which batches them', num('--concurrency'), DEFAULT_CONCURRENCY)
    .option('-o, --out <dir>', 'output directory: results.jsonl, run.json, report.json, report.md; a rerun resumes (default: runs/eval/<benchmark>-<method>-<model>)');
  addSearchOptions(command)
    .option('--no-progress', 'no progress bar or status lines on stderr')
    .action(async (options: EvalOptions) => {
      process.exitCode = await evaluate(options);
    });
}

function positiveInteger(flag: string, value: number | undefined, max = 1_000_000): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) throw new CliUsageError(`${flag}: expected an integer from 1 to ${max}`);
}

/** A path-safe name part. */
const slug = (s: string): string => s.replace(/^[a-z]+:\/\//i, '').replace(/\.gguf$/, '').replace(/[^A-Za-z0-9@._-]+/g, '-').replace(/^-+|-+$/g, '');

function defaultOutDir(o: EvalOptions, embeddedModel: string | null, benchmarkName: string, method: string, k: number): string {
  const selection = `${o.solutionLines === undefined ? '' : `-lines${o.solutionLines}`}${o.limit === undefined ? '' : `-first${o.limit}`}`;
  const model = o.policyUrl ? (o.policyModel ?? o.policyUrl) : basename(embeddedModel ?? '');
  return join('runs', 'eval', `${slug(benchmarkName)}${selection}-${method === 'maj@k' ? `maj@${k}` : method}-${slug(model)}`);
}

async function evaluate(o: EvalOptions): Promise<number> {
  positiveInteger('--limit', o.limit);
  positiveInteger('--solution-lines', o.solutionLines, 1000);
  positiveInteger('--k', o.k, 64);
  if (o.k !== undefined && o.method !== 'maj@k') throw new CliUsageError(`--k: only maj@k votes on k samples (${o.method} takes --rollouts, --width or --beam-width)`);
  positiveInteger('--concurrency', o.concurrency, 64);
  searchConfigFrom(undefined, o); // bad flags fail before the model is looked up
  // The benchmark and its problems next: everything that can be refused is checked before a model is chosen or loads.
  const selection = { limit: o.limit ?? null, solutionLines: o.solutionLines ?? null };
  let benchmark: EvalRunSpec['benchmark'];
  let problems: ProblemRecord[];
  try {
    benchmark = resolveBenchmark(o.benchmark, sharedDataDir());
    problems = await loadProblems(benchmark, selection);
  } catch (e) {
    if (e instanceof EvalInputError) throw new CliUsageError(e.message);
    throw e;
  }
  // A trained policy brings its prompt style unless --prompt-style is given (as in `rstar solve`).
  const choice = o.policyUrl ? null : await chooseCommandModel(o.model, undefined, (m) => status(o.progress, m));
  // The embedded model, as chosen (the given one, else the best trained policy), resolved once.
  const embedded = choice === null ? null : { name: choice.model, ...servedFrom(choice.model) };
  const search = searchConfigFrom(undefined, { ...o, promptStyle: o.promptStyle ?? choice?.promptStyle ?? undefined });
  const spec: EvalRunSpec = {
    benchmark,
    selection,
    plan: { method: o.method, k: o.k ?? DEFAULT_K, search },
    model: { model: embedded?.name ?? null, policyUrl: o.policyUrl ?? null, policyModel: o.policyUrl ? (o.policyModel ?? null) : null },
  };
  const outDir = o.out ?? defaultOutDir(o, embedded?.name ?? null, spec.benchmark.name, o.method, spec.plan.k);
  try {
    openRunDirectory(outDir, spec);
  } catch (e) {
    if (e instanceof RunOptionsMismatchError) throw resumeMismatchError(outDir, e, EVAL_FLAGS);
    throw e;
  }

  const root = workspaceRoot();
  const versions = Promise.all([pythonPackageVersion(venvPython(root), 'math-verify'), codeVersion(root)]);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runtime = await startSolverRuntime({
    model: embedded?.name ?? '',
    policyUrl: o.policyUrl ?? null,
    policyModel: o.policyModel ?? null,
    threads: o.threads ?? null,
    onStatus: (m) => status(o.progress, m),
  });
  const bar = new EvalProgressBar(o.progress, `${spec.benchmark.name} ${o.method}`);
  try {
    const [graderVersion, code] = await versions;
    const source = o.policyUrl ?? embedded?.source ?? '';
    status(o.progress, `evaluating ${problems.length} problems of ${spec.benchmark.name} with ${o.method} on ${runtime.description}, ${o.concurrency} at once → ${outDir}`);
    const { report, resumed, interrupted } = await runEvaluation(spec, runtime, {
      outDir,
      problems,
      concurrency: o.concurrency,
      model: { name: runtime.policyModel, source, description: runtime.description },
      grader: { name: 'math-verify', version: graderVersion },
      codeVersion: code,
      command: commandLine(),
      signal: abort.signal,
      onProgress: (p) => bar.update(p),
    });
    bar.stop();
    const accuracy = report.accuracy === null ? 'n/a' : `${report.correct}/${report.solved} = ${(100 * report.accuracy).toFixed(1)}%`;
    const ci = `95% CI ${(100 * report.ci95.low).toFixed(1)}–${(100 * report.ci95.high).toFixed(1)}%`;
    const time = `${report.timing.sessionSolved} solved in ${(report.timing.sessionWallMs / 1000).toFixed(1)} s${resumed > 0 ? `, ${resumed} from an earlier run` : ''}`;
    process.stdout.write(`${spec.benchmark.name} · ${o.method} · ${report.model.name}: accuracy ${accuracy} (${ci}) · ${time} · ${report.tokens.completion} tokens generated\n`);
    process.stdout.write(`report: ${join(outDir, 'report.md')}\n`);
    const trainedDir = embedded?.trainedDir ?? null;
    const measured = modelMetric(report);
    if (trainedDir !== null && measured !== null) {
      const recorded = await recordEvaluation(trainedDir, measured, undefined, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(`${recorded}\n`);
    }
    if (interrupted) {
      process.stderr.write(`rstar: interrupted after ${report.solved} of ${report.count} problems: rerun the same command to resume\n`);
      return 130;
    }
    return 0;
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.close();
  }
}

/**
 * What an embedded model loads (a trained model's directory, else its GGUF file and LoRA adapter) and the trained
 * model directory its result is recorded in (null for a base model or a plain GGUF file).
 */
function servedFrom(model: string): { source: string; trainedDir: string | null } {
  try {
    const resolved = resolveModel(model);
    return { source: resolved.trained?.dir ?? (resolved.adapter ? `${resolved.path} + ${resolved.adapter}` : resolved.path), trainedDir: resolved.trained?.dir ?? null };
  } catch {
    return { source: model, trainedDir: null };
  }
}
