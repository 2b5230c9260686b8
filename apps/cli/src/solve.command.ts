import { appendFileSync, existsSync } from 'node:fs';
import { completedIds, readProblemFile, type ProblemRecord } from '@rstar/eval';
import {
  AnswerGrouper,
  chooseTerminalEvaluator,
  parseSearchConfig,
  progressTotal,
  runSearch,
  SEARCH_METHODS,
  toSearchReport,
  type SearchConfig,
  type SearchReport,
  voteAcrossTrees,
  VOTE_RULES,
  type VoteResult,
  type VoteRule,
} from '@rstar/mcts';
import { DEFAULT_MODEL_NAME } from '@rstar/model-server';
import { Option, type Command } from 'commander';
import { CliUsageError, numberOption } from './cli-errors.js';
import { chooseDatabaseUrl, openJobDatabase, parseDatabaseOption } from './job-database.js';
import { formatJobIds } from './job-printer.js';
import { chooseCommandModel } from './model-registry.js';
import { databaseOption } from './jobs.command.js';
import { SearchProgressBar, status } from './progress.js';
import { addSearchOptions, searchConfigFrom, type SearchFlags } from './search-options.js';
import { SolveJobRecorder } from './solve-job-recorder.js';
import { startSolverRuntime, type SolverRuntime, type SolverRuntimeOptions } from './solver-runtime.js';
import { formatSummary, formatTrajectory, formatTree } from './tree-printer.js';

export const REWARDS = ['consistency', 'ground-truth'] as const;
type Reward = (typeof REWARDS)[number];

interface SolveOptions extends SearchFlags {
  file?: string;
  out?: string;
  answer?: string;
  method?: string;
  reward: Reward;
  trees: number;
  vote: VoteRule;
  model?: string;
  policyUrl?: string;
  policyModel?: string;
  threads?: number;
  json: boolean;
  showTree: boolean;
  progress: boolean;
  database?: string;
  store: boolean;
}

export function registerSolveCommand(program: Command): void {
  const num = numberOption;
  // Defaults shown in --help come from the search config schema, the one place they are set.
  const d = parseSearchConfig();
  const command = program
    .command('solve')
    .description('Solve a math problem (or a JSONL file of problems) by tree search over code-augmented steps')
    .argument('[problem]', 'the problem statement')
    .option('-f, --file <path>', 'solve every problem of a JSONL file ({"id", "problem", "answer"?} per line)')
    .option('-o, --out <path>', 'with --file: append results here; a rerun skips ids already in it')
    .option('-a, --answer <reference>', 'the reference answer of a single problem: the result is graded against it')
    .addOption(new Option('--method <method>', `search method (default: ${d.method})`).choices(SEARCH_METHODS));
  addSearchOptions(command)
    .addOption(
      new Option('--reward <reward>', 'terminal value: agreement between answers, or the ground truth (needs answers)').choices(REWARDS).default('consistency'),
    )
    .option('--trees <k>', 'independent searches per problem; their answers are voted on', num('--trees'), 1)
    .addOption(new Option('--vote <rule>', 'with --trees: majority of answers, or answers weighted by Q').choices(VOTE_RULES).default('majority'))
    .option('--model <name|path>', 'embedded CPU model: smollm2-135m, gemma3-270m, a .gguf path, a trained model directory or a registered model name (default: the best trained policy, see rstar models; else smollm2-135m)')
    .option('--policy-url <url>', 'use this OpenAI-compatible completions server (vLLM, SGLang, llama.cpp) instead of the embedded model')
    .option('--policy-model <name>', 'model name to send to --policy-url (default: the server\'s first model)')
    .option('--threads <n>', 'CPU threads of the embedded model (default: all cores)', num('--threads'))
    .option('--json', 'print the whole search tree as JSON on stdout', false)
    .option('--show-tree', 'also print every node of the tree', false)
    .option('--no-progress', 'no progress bar or status lines on stderr')
    .addOption(databaseOption())
    .option('--no-store', 'do not store the solves (each search is stored as a solve job: rstar jobs list)')
    .action(async (problem: string | undefined, options: SolveOptions) => {
      process.exitCode = await solve(problem, options);
    });
}

async function solve(problem: string | undefined, o: SolveOptions): Promise<number> {
  searchConfigFrom(o.method, o); // bad flags fail before the model is chosen
  if (o.file && problem !== undefined) throw new CliUsageError('give either a problem or --file, not both');
  if (!o.file && o.out) throw new CliUsageError('--out needs --file');
  if (o.file && o.answer !== undefined) throw new CliUsageError('--answer is for a single problem; a file carries its own answers');
  if (o.file && !existsSync(o.file)) throw new CliUsageError(`cannot read ${o.file}: no such file`);
  if (!o.file && (problem === undefined || problem.trim() === '')) throw new CliUsageError('the problem is empty: give a problem statement or --file');
  if (!o.file && o.reward === 'ground-truth' && o.answer === undefined) throw new CliUsageError('--reward ground-truth needs --answer');
  if (!Number.isInteger(o.trees) || o.trees < 1 || o.trees > 256) throw new CliUsageError('--trees: expected an integer from 1 to 256');
  const databaseUrl = o.store ? chooseDatabaseUrl(o.database) : null;
  if (databaseUrl !== null) parseDatabaseOption(databaseUrl);

  // A trained policy brings its prompt style unless --prompt-style is given.
  const choice = o.policyUrl ? null : await chooseCommandModel(o.model, o.database, (m) => status(o.progress, m));
  const config = searchConfigFrom(o.method, { ...o, promptStyle: o.promptStyle ?? choice?.promptStyle ?? undefined });
  const runtimeOptions: SolverRuntimeOptions = {
    model: choice?.model ?? DEFAULT_MODEL_NAME,
    policyUrl: o.policyUrl ?? null,
    policyModel: o.policyModel ?? null,
    threads: o.threads ?? null,
    onStatus: (m) => status(o.progress, m),
  };
  // Opened before the model loads: a database that cannot be used fails in a second, not after the search.
  const database = databaseUrl === null ? null : await openJobDatabase(databaseUrl, 'write');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const recorder = database ? new SolveJobRecorder(database.stores.jobs) : null;
    await recorder?.failOrphans();
    const runtime = await startSolverRuntime(runtimeOptions);
    let code: number;
    try {
      const run: SolveRun = { o, config, runtime, recorder, signal: abort.signal };
      code = o.file ? await solveFile(o.file, run) : await solveOne({ id: 'cli', problem: (problem ?? '').trim(), answer: o.answer ?? null }, run);
    } finally {
      await runtime.close();
    }
    // The result is out; what the database refused is said after it, and the exit status says it too.
    const problemStoring = recorder?.problem ?? null;
    if (database && problemStoring !== null) {
      process.stderr.write(`rstar: warning: not stored in ${database.where}: ${problemStoring}\n`);
      return Math.max(code, 1);
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await database?.close().catch(() => undefined);
  }
}

/** What every solve of one command shares. */
interface SolveRun {
  o: SolveOptions;
  config: SearchConfig;
  runtime: SolverRuntime;
  /** Null with --no-store. */
  recorder: SolveJobRecorder | null;
  signal: AbortSignal;
}

interface Solved {
  /** The report of the tree whose answer was chosen (the only tree, with --trees 1). */
  report: SearchReport;
  /** The answer given: the tree's, or the vote's across trees. */
  answer: string | null;
  correct: boolean | null;
  vote: VoteResult | null;
  /** The stored job of the chosen tree; null with --no-store or when the database refused it. */
  jobId: string | null;
  /** The stored job of each tree, in tree order. */
  jobIds: (string | null)[];
}

/**
 * Runs `--trees` independent searches (seeds seed, seed+1, ...). One tree answers with its highest-Q answer;
 * several vote (METHOD.md §3: answers ranked by score, equivalent answers grouped, majority or weighted).
 */
async function solveRecord(record: ProblemRecord, run: SolveRun, label: string): Promise<Solved> {
  const { o, config, runtime, recorder, signal } = run;
  const grouper = new AnswerGrouper(runtime.grader);
  const reports: SearchReport[] = [];
  const jobIds: (string | null)[] = [];
  for (let t = 0; t < o.trees; t++) {
    const evaluator = chooseTerminalEvaluator({ grader: runtime.grader, reference: o.reward === 'ground-truth' ? record.answer : null, ppm: null, grouper });
    const treeConfig = { ...config, seed: config.seed + t };
    const bar = new SearchProgressBar(o.progress, o.trees > 1 ? `${label} tree ${t + 1}/${o.trees}` : label);
    const total = progressTotal(config);
    bar.update({ done: 0, total, bestAnswer: null, bestQ: null });
    // Each tree is its own job (its own seed, its own tree); the chosen tree's job is the one reported first.
    const jobId = recorder ? await recorder.begin(record.problem, record.answer, treeConfig, total) : null;
    let report: SearchReport;
    try {
      const result = await runSearch(record.problem, treeConfig, { policy: runtime.policy, sandbox: runtime.sandbox, evaluator }, { onProgress: (p) => bar.update(p), signal });
      report = toSearchReport(result);
    } catch (error) {
      await recorder?.failed(jobId, error);
      throw error;
    } finally {
      bar.stop();
    }
    // Only a job that holds the result is named in the output.
    jobIds.push(recorder && (await recorder.succeeded(jobId, report, runtime.policyModel)) ? jobId : null);
    reports.push(report);
  }
  let report = reports[0] as SearchReport;
  let answer = report.answer;
  let vote: VoteResult | null = null;
  if (reports.length > 1) {
    const answered = reports.filter((r) => r.answer !== null);
    vote = await voteAcrossTrees(
      answered.map((r) => ({ answer: r.answer as string, score: r.answerQ ?? 0 })),
      grouper,
      o.vote,
    );
    answer = vote?.answer ?? null;
    if (vote) report = answered[vote.best] as SearchReport;
  }
  const correct = record.answer === null ? null : answer === null ? false : (await runtime.grader.grade(answer, record.answer)).equivalent;
  return { report, answer, correct, vote, jobId: jobIds[reports.indexOf(report)] ?? null, jobIds };
}

async function solveOne(record: ProblemRecord, run: SolveRun): Promise<number> {
  const { o, config, runtime } = run;
  const { report, answer, correct, vote, jobId, jobIds } = await solveRecord(record, run, config.method === 'mcts' ? 'rollouts' : config.method);
  if (o.json) {
    const stored = { jobId, ...(o.trees > 1 ? { jobIds } : {}) };
    process.stdout.write(`${JSON.stringify({ ...report, policy: runtime.description, reference: record.answer, finalAnswer: answer, correct, vote, ...stored }, null, 2)}\n`);
    return 0;
  }
  const out = [`${'Problem:'} ${record.problem}`, `Policy: ${runtime.description}`, '', formatTrajectory(report), ''];
  if (o.showTree) out.push('Tree:', formatTree(report), '');
  if (vote) out.push(`Vote over ${o.trees} trees (${o.vote}): ${vote.groups.map((g) => `${g.answer} ×${g.members}`).join(', ') || 'no answers'}`, '');
  out.push(formatSummary(report, answer, record.answer, correct));
  const jobLine = run.recorder ? formatJobIds(jobId, jobIds) : null;
  if (jobLine !== null) out.push(jobLine);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function solveFile(file: string, run: SolveRun): Promise<number> {
  const { o } = run;
  const done = o.out ? completedIds(o.out) : new Set<string>();
  let badLines = 0;
  let solved = 0;
  let skipped = 0;
  let graded = 0;
  let correctCount = 0;
  for await (const record of readProblemFile(file, (e) => {
    badLines++;
    process.stderr.write(`${file}:${e.line}: ${e.message}\n`);
  })) {
    if (done.has(record.id)) {
      skipped++;
      continue;
    }
    const { report, answer, correct, vote, jobId, jobIds } = await solveRecord(record, run, record.id);
    solved++;
    if (correct !== null) {
      graded++;
      if (correct) correctCount++;
    }
    const line = {
      id: record.id,
      problem: record.problem,
      reference: record.answer,
      answer,
      correct,
      ...(vote ? { vote } : {}),
      jobId,
      ...(o.trees > 1 ? { jobIds } : {}),
      q: report.answerQ,
      method: report.method,
      rollouts: report.rollouts,
      nodes: report.nodes.length,
      elapsedMs: report.elapsedMs,
      trajectory: report.bestTrajectory.slice(1).map((id) => {
        const n = report.nodes[id];
        return { text: n?.text, output: n?.output, q: n?.q, visits: n?.visits };
      }),
      ...(o.json ? { tree: report } : {}),
    };
    if (o.out) appendFileSync(o.out, `${JSON.stringify(line)}\n`);
    else process.stdout.write(`${JSON.stringify(line)}\n`);
    status(o.progress, `${record.id}: ${answer ?? '(no answer)'}${correct === null ? '' : correct ? ' ✓' : ` ✗ (expected ${record.answer ?? ''})`}`);
  }
  const accuracy = graded > 0 ? ` · accuracy ${correctCount}/${graded} = ${((100 * correctCount) / graded).toFixed(1)}%` : '';
  process.stderr.write(`solved ${solved}, skipped ${skipped} already in ${o.out ?? 'the output'}, ${badLines} bad lines${accuracy}\n`);
  return badLines > 0 ? 1 : 0;
}
