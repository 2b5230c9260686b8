import { readdirSync, readFileSync } from 'node:fs';
import type { SandboxErrorKind } from '@rstar/clients';
import { SandboxPool, type SandboxPoolStats } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The pool against the real runtime (bubblewrap + the Python fork server), as tools/setup installs it.

interface ProcessInfo {
  ppid: number;
  state: string;
  comm: string;
}

function processTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state = '', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      table.set(Number(name), { ppid: Number(ppid), state, comm });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** Every process below `root`. */
function descendants(root: number, table = processTable()): number[] {
  const found: number[] = [];
  for (const [pid, info] of table) if (info.ppid === root) found.push(pid, ...descendants(pid, table));
  return found;
}

/** The bubblewrap processes this test process started: one per runtime. */
function directRuntimes(): number[] {
  const table = processTable();
  return [...table].filter(([, info]) => info.ppid === process.pid && info.comm === 'bwrap').map(([pid]) => pid);
}

function isAlive(pid: number): boolean {
  const state = processTable().get(pid)?.state;
  return state !== undefined && state !== 'Z';
}

let pool: SandboxPool;
let serial = 0;

async function expectServing(): Promise<void> {
  // A distinct comment each time so the cache does not answer.
  const result = await pool.run(`print(6 * 7)  # ${++serial}`);
  expect(result).toMatchObject({ ok: true, stdout: '42\n', cached: false });
}

beforeAll(async () => {
  pool = await SandboxPool.start({ size: 2, limits: { wallSeconds: 2, cpuSeconds: 2 }, timeoutGraceMs: 1_500 });
}, 120_000);

afterAll(async () => {
  await pool?.close();
});

describe('SandboxPool with the real runtime', () => {
  it('runs a sympy program', async () => {
    const result = await pool.run("import sympy as sp\nx = sp.symbols('x')\nprint(sp.solve(x**2 - 4, x))");
    expect(result).toMatchObject({ ok: true, stdout: '[-2, 2]\n', errorKind: null, cached: false });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  const hostile: [string, string, SandboxErrorKind, RegExp][] = [
    ['syntax error', 'def f(:\n    pass', 'syntax', /SyntaxError/],
    ['exception', '1/0', 'runtime', /ZeroDivisionError/],
    ['infinite loop', 'while True: pass', 'timeout', /time limit/],
    ['huge bytearray', 'x = bytearray(10**10)', 'memory', /MemoryError/],
    ['huge numpy array', 'import numpy as np\nx = np.ones(10**10, dtype=np.uint8)', 'memory', /Unable to allocate/],
    ['huge output', "print('x' * 100_000_000)", 'output_limit', /output limit/],
    [
      'fork bomb',
      'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
      'timeout',
      /time limit/,
    ],
    [
      'network, outside',
      "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)",
      'runtime',
      /unreachable/,
    ],
    ['network, loopback', "import socket\nsocket.create_connection(('127.0.0.1', 80))", 'runtime', /refused/],
    ['write to /etc', "open('/etc/x', 'w')", 'runtime', /Read-only file system/],
    ['write to $HOME', "import os\nopen(os.environ['HOME'] + '/x', 'w')", 'runtime', /No such file/],
    ['kills everything it sees', KILL_ALL, 'runtime', /exited with status 3/],
    ['closes its fds', "import os\nos.closerange(0, 1024)\nprint('closed')", 'runtime', /report channel/],
  ];

  for (const [name, code, kind, message] of hostile) {
    it(`reports ${kind} for a ${name}, then serves on`, async () => {
      const result = await pool.run(code);
      expect(result.errorKind).toBe(kind);
      expect(result.ok).toBe(false);
      expect(result.errorMessage).toMatch(message);
      await expectServing();
    });
  }

  it('stops a fork bomb at the process limit, as root too', async () => {
    const code = [
      'import os, time',
      'n = 0',
      'try:',
      '    while True:',
      '        if os.fork() == 0:',
      '            time.sleep(30)',
      '        n += 1',
      'except OSError as e:',
      '    print(n < 32, e.errno)',
    ].join('\n');
    expect(await pool.run(code)).toMatchObject({ ok: true, stdout: 'True 11\n' });
    await expectServing();
  });

  it('answers a repeated program from the cache', async () => {
    const code = "import sympy as sp\nprint(sp.factorint(2**20 - 1))  # cache";
    const first = await pool.run(code);
    const before = pool.stats().runs;
    const second = await pool.run(code);
    expect(second).toEqual({ ...first, cached: true });
    expect(pool.stats().runs).toBe(before);
  });

  it('runs concurrent programs on all runtimes', async () => {
    const programs = Array.from(
      { length: 8 },
      (_, i) => `import sympy as sp\nx = sp.symbols('x')\nprint(sp.solve(x**2 - ${i + 1}, x))  # concurrent`,
    );
    const results = await Promise.all(programs.map((code) => pool.run(code)));
    expect(results.every((r) => r.ok && !r.cached)).toBe(true);
    expect(results[3]!.stdout).toBe('[-2, 2]\n');
  });

  it('replaces a runtime that dies under a program: internal', async () => {
    const running = pool.run(`import time\ntime.sleep(1.5)\nprint('done')  # ${++serial}`);
    await expect.poll(() => pool.stats().busy).toBe(1);
    for (const pid of directRuntimes()) process.kill(pid, 'SIGKILL');
    const result = await running;
    expect(result).toMatchObject({ ok: false, errorKind: 'internal' });
    expect(result.errorMessage).toMatch(/sandbox runtime died/);
    await expectServing();
    await expect.poll(() => pool.stats().alive, { timeout: 60_000 }).toBe(2);
  }, 90_000);

  it('replaces a runtime that stops answering: timeout', async () => {
    await expect.poll(() => pool.stats(), { timeout: 60_000 }).toMatchObject({ alive: 2, starting: 0 });
    const before: SandboxPoolStats = pool.stats();
    const running = pool.run(`import time\ntime.sleep(1)\nprint('done')  # ${++serial}`);
    await expect.poll(() => pool.stats().busy).toBe(1);
    // Freeze every process of both sandboxes: the runtime can no longer answer.
    for (const pid of directRuntimes().flatMap((bwrap) => descendants(bwrap))) process.kill(pid, 'SIGSTOP');
    const result = await running;
    expect(result).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(result.errorMessage).toMatch(/did not answer within 3500 ms/);
    expect(pool.stats().restarts).toBeGreaterThan(before.restarts);
    for (const pid of directRuntimes().flatMap((bwrap) => [bwrap, ...descendants(bwrap)])) {
      process.kill(pid, 'SIGCONT');
    }
    await expectServing();
  }, 90_000);

  it('leaves no process behind when closed', async () => {
    await expect.poll(() => pool.stats(), { timeout: 60_000 }).toMatchObject({ alive: 2, starting: 0 });
    const before = new Set(directRuntimes());
    const spare = await SandboxPool.start({ size: 1 });
    await spare.run(`print(1)  # ${++serial}`);
    const tree = directRuntimes()
      .filter((pid) => !before.has(pid))
      .flatMap((pid) => [pid, ...descendants(pid)]);
    expect(tree.length).toBeGreaterThanOrEqual(3); // bubblewrap, its init in the sandbox, the runtime
    await spare.close();
    await expect.poll(() => tree.filter(isAlive)).toEqual([]);
  }, 90_000);
});

const KILL_ALL = [
  'import os, signal',
  "for name in os.listdir('/proc'):",
  '    if name.isdigit() and int(name) != os.getpid():',
  '        try:',
  '            os.kill(int(name), signal.SIGKILL)',
  '        except OSError:',
  '            pass',
  'os._exit(3)',
].join('\n');
