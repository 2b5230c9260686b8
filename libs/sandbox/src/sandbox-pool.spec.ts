import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeCommand } from './runtime-command.js';
import type { SandboxConfigInput } from './sandbox-config.js';
import { SandboxError } from './sandbox-error.js';
import { SandboxPool } from './sandbox-pool.js';

// The pool's dispatch, cache and replacement logic against a stand-in runtime (test/fake-runtime.mjs).
const fake: RuntimeCommand = {
  command: process.execPath,
  args: [join(import.meta.dirname, '../test/fake-runtime.mjs')],
};
const pools: SandboxPool[] = [];

async function startPool(config: SandboxConfigInput = {}): Promise<SandboxPool> {
  const pool = await SandboxPool.start({ size: 2, timeoutGraceMs: 200, ...config }, { command: fake });
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('SandboxPool', () => {
  it('runs programs and maps the runtime result', async () => {
    const pool = await startPool();
    expect(pool.stats()).toMatchObject({ size: 2, alive: 2, busy: 0 });
    expect(await pool.run('hello')).toEqual({
      ok: true,
      stdout: 'hello\n',
      errorKind: null,
      errorMessage: '',
      durationMs: 1,
      cached: false,
    });
    expect(await pool.run('error')).toMatchObject({ ok: false, errorKind: 'runtime', errorMessage: 'ValueError: x' });
  });

  it('answers a program it has run from the cache', async () => {
    const pool = await startPool();
    await pool.run('same');
    expect(await pool.run('same')).toMatchObject({ stdout: 'same\n', cached: true });
    expect(pool.stats()).toMatchObject({ runs: 1, cacheHits: 1, cacheEntries: 1 });
  });

  it('runs identical programs in flight once', async () => {
    const pool = await startPool();
    const results = await Promise.all([pool.run('sleep:100'), pool.run('sleep:100'), pool.run('sleep:100')]);
    expect(results.map((r) => r.cached)).toEqual([false, true, true]);
    expect(pool.stats().runs).toBe(1);
  });

  it('does not cache timeouts', async () => {
    const pool = await startPool();
    await pool.run('timeout');
    expect((await pool.run('timeout')).cached).toBe(false);
    expect(pool.stats().runs).toBe(2);
  });

  it('queues programs beyond its size and runs them all', async () => {
    const pool = await startPool({ size: 2 });
    const programs = Array.from({ length: 7 }, (_, i) => `sleep:${20 + i}`);
    const results = await Promise.all(programs.map((p) => pool.run(p)));
    expect(results.map((r) => r.stdout)).toEqual(programs.map((p) => `${p}\n`));
  });

  it('replaces a runtime that does not answer within wall + grace: timeout', async () => {
    const pool = await startPool({ limits: { wallSeconds: 0.2 } });
    const result = await pool.run('hang');
    expect(result).toMatchObject({ ok: false, errorKind: 'timeout', cached: false });
    expect(result.errorMessage).toMatch(/did not answer within 400 ms/);
    expect((await pool.run('after')).stdout).toBe('after\n');
    await expect.poll(() => pool.stats()).toMatchObject({ alive: 2, restarts: 1 });
  });

  it('replaces a runtime that dies: internal, with what it said', async () => {
    const pool = await startPool();
    const result = await pool.run('die');
    expect(result).toMatchObject({ ok: false, errorKind: 'internal' });
    expect(result.errorMessage).toMatch(/died \(exit code 3: fake: dying\)/);
    expect((await pool.run('after')).ok).toBe(true);
    await expect.poll(() => pool.stats().alive).toBe(2);
  });

  it('replaces a runtime that breaks the protocol', async () => {
    const pool = await startPool();
    expect((await pool.run('garbage')).errorMessage).toMatch(/broke the protocol \(not JSON/);
    expect((await pool.run('wrong-id')).errorMessage).toMatch(/reply for other/);
    expect((await pool.run('after')).ok).toBe(true);
  });

  it('drops an aborted program from the queue', async () => {
    const pool = await startPool({ size: 1 });
    const first = pool.run('sleep:200');
    const controller = new AbortController();
    const second = pool.run('queued', controller.signal);
    expect(pool.stats().queued).toBe(1);
    controller.abort(new Error('no longer needed'));
    await expect(second).rejects.toThrow('no longer needed');
    expect(pool.stats().queued).toBe(0);
    await first;
    expect(pool.stats().runs).toBe(1);
  });

  it('refuses runs after close and rejects queued ones', async () => {
    const pool = await startPool({ size: 1 });
    const running = expect(pool.run('sleep:2000')).rejects.toBeInstanceOf(SandboxError);
    const queued = expect(pool.run('queued')).rejects.toMatchObject({ code: 'closed' });
    await pool.close();
    await Promise.all([running, queued]);
    await expect(pool.run('x')).rejects.toMatchObject({ code: 'closed' });
  });

  it("fails to start with the runtime's own words", async () => {
    const broken: RuntimeCommand = {
      command: process.execPath,
      args: ['-e', "process.stderr.write('rstar-sandbox: runs cannot get their own namespaces\\n'); process.exit(3)"],
    };
    const start = SandboxPool.start({ size: 1 }, { command: broken });
    await expect(start).rejects.toMatchObject({ name: 'SandboxError', code: 'start_failed' });
    await expect(start).rejects.toThrow(/exit code 3: rstar-sandbox: runs cannot get their own namespaces/);
  });
});
