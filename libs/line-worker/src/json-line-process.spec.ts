import { afterEach, describe, expect, it } from 'vitest';
import { JsonLineProcess, type JsonLineProcessOptions } from './json-line-process.js';

interface Msg {
  id: string;
  text: string;
}

// A stand-in worker: the request's text says how to misbehave; anything else is echoed upper-cased.
const WORKER = `
const rl = require('readline').createInterface({ input: process.stdin });
const reply = (id, text) => process.stdout.write(JSON.stringify({ id, text }) + '\\n');
rl.on('line', (line) => {
  const { id, text } = JSON.parse(line);
  if (text === 'hang') return;
  if (text === 'die') { process.stderr.write('first\\nlast words\\n\\n'); process.exit(3); }
  if (text === 'junk') process.stdout.write('hello\\n\\nnull\\n[1]\\n{"id":"other","text":"x"}\\n');
  if (text === 'wrong-id') return reply('other', 'x');
  if (text === 'array') return process.stdout.write('[1]\\n');
  if (text === 'crlf') return process.stdout.write(JSON.stringify({ id, text: 'CRLF' }) + '\\r\\n');
  if (text === 'long') return process.stdout.write('x'.repeat(1000));
  if (text === 'late') return setTimeout(() => reply(id, 'late'), 300);
  reply(id, text.toUpperCase());
});
`;

const started: JsonLineProcess<Msg, Msg>[] = [];

function start(script: string, options: Partial<JsonLineProcessOptions<Msg, Msg>> = {}): JsonLineProcess<Msg, Msg> {
  const proc = new JsonLineProcess<Msg, Msg>({
    name: 'TestProcess',
    command: process.execPath,
    args: ['-e', script],
    encode: (request) => request,
    decode: (json) => ({ id: String(field(json, 'id')), text: String(field(json, 'text')) }),
    replyName: 'Msg',
    ...options,
  });
  started.push(proc);
  return proc;
}

function field(json: object, key: string): unknown {
  return (json as Record<string, unknown>)[key];
}

afterEach(async () => {
  for (const proc of started.splice(0)) {
    proc.kill();
    await proc.exited;
  }
});

describe('JsonLineProcess', () => {
  it('matches a reply to its request and decodes it', async () => {
    const proc = start(WORKER);
    expect(proc.pid).toBeGreaterThan(0);
    expect(await proc.request({ id: 'a', text: 'hi' }, 5000)).toEqual({
      kind: 'reply',
      result: { id: 'a', text: 'HI' },
    });
    expect(await proc.request({ id: 'b', text: 'again' }, 5000)).toEqual({
      kind: 'reply',
      result: { id: 'b', text: 'AGAIN' },
    });
    expect(proc.alive).toBe(true);
  });

  it('accepts CRLF line endings', async () => {
    const proc = start(WORKER);
    expect(await proc.request({ id: 'a', text: 'crlf' }, 5000)).toEqual({
      kind: 'reply',
      result: { id: 'a', text: 'CRLF' },
    });
  });

  it('allows one request at a time, naming its owner', async () => {
    const proc = start(WORKER);
    const first = proc.request({ id: 'a', text: 'x' }, 5000);
    expect(() => proc.request({ id: 'b', text: 'y' }, 5000)).toThrow('TestProcess: one request at a time');
    expect((await first).kind).toBe('reply');
  });

  it('settles as timeout at the deadline and keeps the process', async () => {
    const proc = start(WORKER);
    expect(await proc.request({ id: 'a', text: 'hang' }, 50)).toEqual({ kind: 'timeout' });
    expect(proc.alive).toBe(true);
    expect((await proc.request({ id: 'b', text: 'ok' }, 5000)).kind).toBe('reply');
  });

  it('reports an exit with its code and last stderr line, and stays dead', async () => {
    const proc = start(WORKER);
    expect(await proc.request({ id: 'a', text: 'die' }, 5000)).toEqual({
      kind: 'exit',
      reason: 'exit code 3: last words',
    });
    expect(proc.alive).toBe(false);
    expect(proc.lastStderrLine).toBe('last words');
    expect(await proc.request({ id: 'b', text: 'x' }, 5000)).toEqual({
      kind: 'exit',
      reason: 'exit code 3: last words',
    });
  });

  it('reports a request to a dead process as unsent with reportUnsent', async () => {
    const proc = start(WORKER, { reportUnsent: true });
    await proc.request({ id: 'a', text: 'die' }, 5000);
    expect(await proc.request({ id: 'b', text: 'x' }, 5000)).toEqual({
      kind: 'unsent',
      reason: 'exit code 3: last words',
    });
  });

  it('reports a write that fails (EPIPE) as unsent with reportUnsent', async () => {
    let stdinClosed!: () => void;
    const closed = new Promise<void>((resolve) => (stdinClosed = resolve));
    const script = `require('fs').closeSync(0); process.stderr.write('closed\\n'); setTimeout(() => {}, 10000);`;
    const proc = start(script, { reportUnsent: true, onStderrLine: (line) => line === 'closed' && stdinClosed() });
    await closed;
    const outcome = await proc.request({ id: 'a', text: 'x' }, 5000);
    expect(outcome).toMatchObject({ kind: 'unsent', reason: expect.stringContaining('EPIPE') });
  });

  it('reports a kill by its signal', async () => {
    const proc = start(WORKER);
    const pending = proc.request({ id: 'a', text: 'hang' }, 5000);
    proc.kill();
    expect(await pending).toEqual({ kind: 'exit', reason: 'killed by SIGKILL' });
  });

  it('reports a command that cannot start', async () => {
    const proc = start('', { command: '/nonexistent/worker' });
    expect(await proc.request({ id: 'a', text: 'x' }, 5000)).toEqual({
      kind: 'exit',
      reason: 'could not start /nonexistent/worker: spawn /nonexistent/worker ENOENT',
    });
    expect(proc.alive).toBe(false);
  });

  it('leniently drops stray lines, non-objects and replies for other ids', async () => {
    const proc = start(WORKER);
    expect(await proc.request({ id: 'a', text: 'junk' }, 5000)).toEqual({
      kind: 'reply',
      result: { id: 'a', text: 'JUNK' },
    });
    expect(proc.alive).toBe(true);
  });

  it('leniently drops a late reply to a request that timed out', async () => {
    const proc = start(WORKER);
    expect(await proc.request({ id: 'a', text: 'late' }, 50)).toEqual({ kind: 'timeout' });
    // a's reply arrives while b waits; b must get its own.
    expect(await proc.request({ id: 'b', text: 'late' }, 5000)).toEqual({
      kind: 'reply',
      result: { id: 'b', text: 'late' },
    });
  });

  it.each([
    ['junk', 'not JSON: hello'],
    ['wrong-id', 'reply for other, expected a'],
    ['array', 'not a Msg: [1]'],
    ['long', 'reply line too long'],
  ])('strictly treats %s as a protocol violation and kills the process', async (text, reason) => {
    const proc = start(WORKER, { strict: true, maxLineChars: 100 });
    expect(await proc.request({ id: 'a', text }, 5000)).toEqual({ kind: 'protocol', reason });
    await proc.exited;
    expect(proc.alive).toBe(false);
  });

  it('strictly kills a process that writes without a request', async () => {
    const proc = start(`process.stdout.write('hello\\n'); setTimeout(() => {}, 10000);`, { strict: true });
    await proc.exited;
    expect(proc.alive).toBe(false);
    expect(await proc.request({ id: 'a', text: 'x' }, 5000)).toEqual({ kind: 'exit', reason: 'killed by SIGKILL' });
  });

  it('passes non-empty stderr lines to the listener, joined across chunks', async () => {
    const lines: string[] = [];
    const script = `process.stderr.write('one\\n\\n  \\ntw'); setTimeout(() => process.stderr.write('o\\nthree'), 50);`;
    const proc = start(script, { onStderrLine: (line) => lines.push(line) });
    await proc.exited;
    // 'three' has no newline: it is not a whole line yet, though it is the last line for error messages.
    expect(lines).toEqual(['one', 'two']);
    expect(proc.lastStderrLine).toBe('three');
  });

  it('closes gracefully on EOF', async () => {
    const proc = start(WORKER);
    await proc.close(5000);
    expect(proc.alive).toBe(false);
    expect(await proc.request({ id: 'a', text: 'x' }, 5000)).toEqual({ kind: 'exit', reason: 'exit code 0' });
  });

  it('kills a process that outlives the grace period of close', async () => {
    const proc = start(`process.stdin.resume(); process.stdin.on('end', () => setTimeout(() => {}, 10000));`);
    await proc.close(100);
    expect(await proc.request({ id: 'a', text: 'x' }, 5000)).toEqual({ kind: 'exit', reason: 'killed by SIGKILL' });
  });
});
