// Policy SFT throughput on this machine: LoRA and full fine-tuning of the base loaded from its shipped GGUF,
// a few optimizer steps each on round-0 traces, tokens/s as the trainer measures it (non-padding tokens).
//   npx tsx --tsconfig tsconfig.base.json tools/bench/train-bench.ts [data=runs/r0/sft.jsonl] [steps=6] [threads=2]
// Needs `rstar bootstrap` output; writes into a temporary directory and removes it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { venvPython, workspaceRoot } from '@rstar/workspace';

const [data = 'runs/r0/sft.jsonl', steps = '6', threads = '2'] = process.argv.slice(2);

interface TrainMetrics {
  tokens: number;
  tokensPerSecond: number;
  wallSeconds: number;
  finalLoss: number | null;
}

function train(method: 'lora' | 'full', out: string): TrainMetrics {
  const args = ['-m', 'rstar_trainer', '--data', data, '--out', out, '--method', method, '--limit', '64', '--batch_size', '4'];
  args.push('--max_steps', steps, '--threads', threads, '--no-gguf', '--save_steps', '1000', '--logging_steps', '1');
  const run = spawnSync(venvPython(), args, { cwd: workspaceRoot(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error(`the ${method} run failed (exit ${run.status})`);
  const metadata = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')) as { metrics: TrainMetrics };
  return metadata.metrics;
}

const dir = mkdtempSync(join(tmpdir(), 'rstar-train-bench-'));
try {
  const rows: string[] = [];
  for (const method of ['lora', 'full'] as const) {
    const m = train(method, join(dir, method));
    rows.push(`| ${method} | ${m.tokensPerSecond.toFixed(1)} tok/s | ${m.tokens} tokens in ${m.wallSeconds.toFixed(0)} s | final loss ${m.finalLoss?.toFixed(3) ?? '-'} |`);
  }
  console.log(`| method | throughput | tokens | loss |\n|---|---|---|---|\n${rows.join('\n')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
