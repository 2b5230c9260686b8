// What the service boundary costs: the same sandbox call in process (SandboxPool) and over NATS to the
// sandbox service (its bundle, started here). The program is a cache hit after its first run, so the
// numbers are the transport's, not Python's.
//   tools/build-services && npx tsx --tsconfig tsconfig.base.json tools/bench/rpc-bench.ts [--calls N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devStackConfig, devStackServices, ProcessStack } from '@rstar/dev-stack';
import { connectNats, NatsRpcClient, NatsSandboxClient } from '@rstar/messaging';
import { SandboxPool } from '@rstar/sandbox';
import { workspaceRoot } from '@rstar/workspace';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '500' } } });
const calls = Number(values.calls);
if (!Number.isInteger(calls) || calls < 1) throw new Error('usage: rpc-bench.ts [--calls N>=1]');

const PROGRAM = 'print(6 * 7)';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  await run(); // the first run fills the cache
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await run();
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `| ${label} | ${calls} | ${(calls / seconds).toFixed(0)} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 95).toFixed(2)} | ${percentile(latencies, 99).toFixed(2)} |\n`,
  );
}

const root = workspaceRoot();
const config = { ...devStackConfig(root), ports: { ...devStackConfig(root).ports, sandbox: 14940 } };
const stack = new ProcessStack({ dir: mkdtempSync(join(tmpdir(), 'rstar-rpc-bench-')), detached: false });
const pool = await SandboxPool.start();
const nc = await connectNats(config.natsUrl, 'rpc-bench');
try {
  await stack.start(devStackServices(config, ['sandbox'])[0]!);
  const remote = new NatsSandboxClient(new NatsRpcClient(nc));
  process.stdout.write('| path | calls | calls/s | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|\n');
  await measure('in process (SandboxPool, cache hit)', () => pool.run(PROGRAM));
  await measure('NATS request/reply to the sandbox service (cache hit)', () => remote.run(PROGRAM));
} finally {
  await nc.drain();
  await pool.close();
  await stack.stop('sandbox');
}
