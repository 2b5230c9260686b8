// Wall time of a default `rstar solve` on GSM8K problems (embedded CPU model, MCTS defaults).
//   npx tsx tools/bench/solve-bench.ts [--problems 3] [--offset 0] [-- extra rstar solve options]
// Builds the CLI bundle first; prints a markdown table (one row per problem) and the mean.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDataDir, workspaceRoot } from '@rstar/workspace';

const { values, positionals } = parseArgs({
  options: { problems: { type: 'string', default: '3' }, offset: { type: 'string', default: '0' } },
  allowPositionals: true,
});
const root = workspaceRoot();
execFileSync(join(root, 'tools', 'build-cli'), { cwd: root, stdio: 'inherit' });
const lines = readFileSync(join(sharedDataDir(), 'gsm8k', 'test.jsonl'), 'utf8').trim().split('\n');
const picked = lines.slice(Number(values.offset), Number(values.offset) + Number(values.problems)).map((l) => JSON.parse(l) as { id: string; problem: string; answer: string });

interface Row { id: string; seconds: number; rollouts: number; nodes: number; answer: string | null; correct: boolean | null; tokens: number; sandboxRuns: number }
const rows: Row[] = [];
for (const p of picked) {
  const started = performance.now();
  const r = spawnSync('node', [join(root, 'dist/apps/cli/main.js'), 'solve', p.problem, '--answer', p.answer, '--json', '--no-progress', ...positionals], { encoding: 'utf8', env: { ...process.env, RSTAR_HOME: root } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`rstar solve failed on ${p.id}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { rollouts: number; nodes: unknown[]; answer: string | null; correct: boolean | null; stats: { completionTokens: number; sandboxRuns: number } };
  rows.push({ id: p.id, seconds, rollouts: report.rollouts, nodes: report.nodes.length, answer: report.answer, correct: report.correct, tokens: report.stats.completionTokens, sandboxRuns: report.stats.sandboxRuns });
  process.stderr.write(`${p.id}: ${seconds.toFixed(1)} s\n`);
}
console.log('| problem | wall time (s) | rollouts | nodes | generated tokens | sandbox runs | answer | correct |');
console.log('|---|---:|---:|---:|---:|---:|---|---|');
for (const r of rows) console.log(`| ${r.id} | ${r.seconds.toFixed(1)} | ${r.rollouts} | ${r.nodes} | ${r.tokens} | ${r.sandboxRuns} | ${r.answer ?? '-'} | ${r.correct === null ? '-' : r.correct ? 'yes' : 'no'} |`);
const mean = rows.reduce((s, r) => s + r.seconds, 0) / rows.length;
console.log(`\nmean wall time: ${mean.toFixed(1)} s over ${rows.length} problems (extra options: ${positionals.join(' ') || 'none'})`);
