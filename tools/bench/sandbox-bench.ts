// Sandbox throughput: a fresh Python per run vs the warm fork-server pool vs cache hits.
//   npx tsx --tsconfig tsconfig.base.json tools/bench/sandbox-bench.ts [--runs N] [--concurrency C]
// Each mode runs C closed loops (C = the pool size, default the number of cores) over N small sympy programs,
// all distinct so the cache does not answer; (a) and (b) use the same bubblewrap sandbox.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { SandboxPool } from '@rstar/sandbox';
import { venvPython } from '@rstar/workspace';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, concurrency: { type: 'string' } },
});
const runs = Number(values.runs);
const concurrency = Number(values.concurrency ?? availableParallelism());
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  throw new Error('usage: sandbox-bench.ts [--runs N>=1] [--concurrency C>=1]');
}

const salt = Date.now() % 1000;
function program(i: number): string {
  return ['import sympy as sp', "x = sp.symbols('x')", `print(sp.solve(x**2 - ${salt + i}*x - ${i + 1}, x))`].join('\n');
}

interface Measure {
  mode: string;
  runs: number;
  failures: number;
  seconds: number;
  latenciesMs: number[];
}

/** C workers take programs 0..runs-1 in turn, each waiting for its previous run (closed loop). */
async function measure(mode: string, count: number, runOne: (i: number) => Promise<boolean>): Promise<Measure> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      if (!(await runOne(i))) failures++;
      latenciesMs.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { mode, runs: count, failures, seconds: (performance.now() - started) / 1000, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One `python -c PROGRAM` in the runtime's bubblewrap sandbox, command line from the launcher. */
function freshCommand(): (code: string) => [string, string[]] {
  const placeholder = '__PROGRAM__';
  const printed = execFileSync(
    venvPython(),
    ['-P', '-m', 'rstar_sandbox.launcher', '--print', '--python', '--', '-c', placeholder],
    { encoding: 'utf8' },
  );
  const argv = JSON.parse(printed) as string[];
  return (code) => {
    const args = argv.slice(1).map((arg) => (arg === placeholder ? code : arg));
    return [argv[0]!, args];
  };
}

function runFresh(command: [string, string[]]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('close', (code) => resolve(code === 0 && out.startsWith('[')));
    child.on('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const results: Measure[] = [];
  const fresh = freshCommand();
  results.push(await measure('(a) fresh python per run (bwrap, imports sympy)', runs, (i) => runFresh(fresh(program(i)))));

  const t = performance.now();
  const pool = await SandboxPool.start({ size: concurrency });
  const startupS = (performance.now() - t) / 1000;
  try {
    const offset = runs; // distinct from (a)'s programs, though (a) never fills the cache
    results.push(
      await measure('(b) warm pool', runs, async (i) => (await pool.run(program(offset + i))).ok),
    );
    const repeated = program(offset); // already run in (b): every call is a hit
    results.push(await measure('(c) cache hits', runs, async () => (await pool.run(repeated)).cached));
  } finally {
    await pool.close();
  }

  console.log(`\nsandbox bench: ${runs} runs per mode, ${concurrency} concurrent, ${availableParallelism()} cores, ` +
    `node ${process.version}; pool start (${concurrency} runtimes): ${startupS.toFixed(2)} s\n`);
  console.log('| mode | runs | failures | executions/s | p50 ms | p95 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const m of results) {
    const sorted = [...m.latenciesMs].sort((a, b) => a - b);
    const rate = m.runs / m.seconds;
    console.log(
      `| ${m.mode} | ${m.runs} | ${m.failures} | ${rate >= 1000 ? rate.toFixed(0) : rate.toFixed(1)} | ` +
        `${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 95).toFixed(2)} |`,
    );
  }
}

await main();
