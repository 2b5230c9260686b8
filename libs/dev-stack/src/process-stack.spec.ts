import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devStackConfig, devStackServices } from './dev-stack.js';
import { ProcessStack, StackError } from './process-stack.js';

let dir: string;
let stack: ProcessStack;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rstar-stack-'));
  stack = new ProcessStack({ dir, detached: false });
});
afterEach(async () => {
  await stack.stopAll(['web', 'crash', 'slow'], 2000);
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real process: an HTTP server that becomes ready after `delayMs` and exits cleanly on SIGTERM. */
function webScript(port: number, delayMs: number): string {
  const file = join(dir, `web-${port}.mjs`);
  writeFileSync(
    file,
    `import { createServer } from 'node:http';
     let ready = false; setTimeout(() => { ready = true; }, ${delayMs});
     const s = createServer((req, res) => { res.statusCode = ready ? 200 : 503; res.end(ready ? 'ok' : 'wait'); }).listen(${port}, '127.0.0.1');
     console.log('listening');
     process.on('SIGTERM', () => { console.log('bye'); s.close(() => process.exit(0)); });`,
  );
  return file;
}

describe('ProcessStack', () => {
  it('waits for readiness, records the pid, and stops gracefully', async () => {
    const port = await freePort();
    const pid = await stack.start({ name: 'web', command: [process.execPath, webScript(port, 300)], env: {}, readyUrl: `http://127.0.0.1:${port}/` });
    expect(stack.pid('web')).toBe(pid);
    await expect(stack.start({ name: 'web', command: [process.execPath, '-e', ''], env: {}, readyUrl: 'http://127.0.0.1:1/' })).rejects.toThrow(/already running/);
    await stack.stop('web');
    expect(stack.pid('web')).toBeNull();
    expect(stack.tail('web')).toMatch(/listening\s+bye/);
  });

  it('reports a process that exits during start-up with its log', async () => {
    const err = await stack
      .start({ name: 'crash', command: [process.execPath, '-e', 'console.error("boom: bad config"); process.exit(2)'], env: {}, readyUrl: 'http://127.0.0.1:1/' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as Error).message).toMatch(/crash: exited during start-up:\s+boom: bad config/);
  });

  it('gives up after the ready timeout and says what it last saw', async () => {
    const port = await freePort();
    const err = await stack
      .start({ name: 'slow', command: [process.execPath, webScript(port, 60_000)], env: {}, readyUrl: `http://127.0.0.1:${port}/`, readyTimeoutMs: 1500 })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/not ready within 2 s .*503 wait/);
  });

  it('kills with SIGKILL like a crash', async () => {
    const port = await freePort();
    await stack.start({ name: 'web', command: [process.execPath, webScript(port, 0)], env: {}, readyUrl: `http://127.0.0.1:${port}/` });
    await stack.kill('web', 'SIGKILL');
    expect(stack.pid('web')).toBeNull();
    expect(stack.tail('web')).not.toMatch(/bye/);
  });
});

describe('devStackServices', () => {
  it('wires every service to the same infrastructure and its own port', () => {
    const config = devStackConfig('/repo', { RSTAR_GATEWAY_PORT: '14000', RSTAR_PG_PORT: '6543' });
    const specs = devStackServices(config);
    expect(specs.map((s) => s.name)).toEqual(['model-server', 'policy', 'sandbox', 'gateway', 'search', 'curation']);
    expect(specs.find((s) => s.name === 'curation')!.env).toMatchObject({ RSTAR_HTTP_PORT: '4050', RSTAR_KAFKA_GROUP_ID: 'rstar-curation', RSTAR_DATABASE_URL: 'postgresql://rstar:rstar@127.0.0.1:6543/rstar' });
    const gateway = specs.find((s) => s.name === 'gateway')!;
    expect(gateway.env).toMatchObject({ RSTAR_HTTP_PORT: '14000', RSTAR_DATABASE_URL: 'postgresql://rstar:rstar@127.0.0.1:6543/rstar' });
    expect(gateway.readyUrl).toBe('http://127.0.0.1:14000/readyz');
    expect(specs.find((s) => s.name === 'policy')!.env['RSTAR_POLICY_URL']).toBe('http://127.0.0.1:8000/v1');
    expect(() => devStackConfig('/repo', { RSTAR_SEARCH_PORT: 'x' })).toThrow(/RSTAR_SEARCH_PORT must be a port number/);
  });
});
