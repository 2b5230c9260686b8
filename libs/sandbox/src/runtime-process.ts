import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { sandboxV1 } from '@rstar/contracts';
import type { RuntimeCommand } from './runtime-command.js';

/** How one request to a runtime ended. */
export type RuntimeOutcome =
  | { kind: 'reply'; result: sandboxV1.RunResult }
  | { kind: 'timeout' }
  | { kind: 'exit'; reason: string }
  | { kind: 'protocol'; reason: string }
  /** The runtime was dead before it could read the request: the program did not run. */
  | { kind: 'unsent'; reason: string };

interface Pending {
  id: string;
  settle: (outcome: RuntimeOutcome) => void;
}

export type StderrListener = (line: string) => void;

const STDERR_TAIL_CHARS = 4096;
// A reply carries at most the output cap (as JSON, escapes can grow it sixfold) plus a message.
const MAX_LINE_CHARS = 2 ** 28;

/**
 * One sandbox runtime (bubblewrap running the Python fork server): writes RunRequest lines, reads RunResult
 * lines, one request at a time. Once it has exited, or broken the protocol, it stays dead.
 */
export class RuntimeProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Pending | null = null;
  private stdoutParts: string[] = [];
  private stdoutLength = 0;
  private stderrBuffer = '';
  private stderrTail = '';
  private exitReason: string | null = null;
  readonly exited: Promise<void>;

  constructor(command: RuntimeCommand, onStderrLine?: StderrListener) {
    this.child = spawn(command.command, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A forgotten close() must not keep Node alive; bubblewrap's --die-with-parent ends the sandbox then.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    // Writes to a runtime that just died fail with EPIPE; its exit is reported through 'close' instead.
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => this.onStderr(chunk, onStderrLine));
    this.exited = new Promise((resolve) => {
      // 'on', not 'once': a later 'error' (a failed kill) without a listener would throw.
      this.child.on('error', (err) => {
        this.onExit(`could not start ${command.command}: ${err.message}`);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        const how = signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`;
        const said = this.lastStderrLine;
        this.onExit(said ? `${how}: ${said}` : how);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  /** The last non-empty line the runtime (or bubblewrap) wrote on stderr, or ''. */
  get lastStderrLine(): string {
    const lines = this.stderrTail.split('\n').filter((line) => line.trim() !== '');
    return lines.at(-1)?.trim() ?? '';
  }

  /** Sends one request; settles with its reply, at the deadline, or when the runtime dies or misbehaves. */
  request(request: sandboxV1.RunRequest, timeoutMs: number): Promise<RuntimeOutcome> {
    if (this.pending) throw new Error('RuntimeProcess: one request at a time');
    if (this.exitReason !== null) return Promise.resolve({ kind: 'unsent', reason: this.exitReason });
    return new Promise<RuntimeOutcome>((resolve) => {
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (outcome: RuntimeOutcome): void => {
        clearTimeout(timer);
        this.pending = null;
        resolve(outcome);
      };
      this.pending = { id: request.id, settle };
      this.child.stdin.write(`${JSON.stringify(sandboxV1.RunRequest.toJSON(request))}\n`, (error) => {
        // EPIPE: the runtime's end of the pipe was already closed, so it never read the request.
        if (error && this.pending?.id === request.id) settle({ kind: 'unsent', reason: error.message });
      });
    });
  }

  /** Kills the sandbox at once: bubblewrap dies, and with it every process inside. */
  kill(): void {
    if (this.exitReason === null) this.child.kill('SIGKILL');
  }

  /** Ends the runtime: closes its stdin (it exits after its current run), kills it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.exitReason === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private onStdout(chunk: string): void {
    // Newlines are looked for in the new chunk only: a reply with a megabyte of output comes in many chunks.
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf('\n', start)) >= 0) {
      this.stdoutParts.push(chunk.slice(start, newline));
      const line = this.stdoutParts.join('');
      this.stdoutParts = [];
      this.stdoutLength = 0;
      if (line.length > 0) this.onLine(line);
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.stdoutParts.push(chunk.slice(start));
      this.stdoutLength += chunk.length - start;
      if (this.stdoutLength > MAX_LINE_CHARS) this.breakProtocol('reply line too long');
    }
  }

  private onLine(line: string): void {
    const pending = this.pending;
    if (!pending) return this.breakProtocol('output without a request');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.breakProtocol(`not JSON: ${line.slice(0, 200)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return this.breakProtocol(`not a RunResult: ${line.slice(0, 200)}`);
    }
    const result = sandboxV1.RunResult.fromJSON(parsed);
    if (result.id !== pending.id) return this.breakProtocol(`reply for ${result.id}, expected ${pending.id}`);
    pending.settle({ kind: 'reply', result });
  }

  private breakProtocol(reason: string): void {
    this.pending?.settle({ kind: 'protocol', reason });
    this.kill();
  }

  private onStderr(chunk: string, listener: StderrListener | undefined): void {
    this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    if (!listener) return;
    this.stderrBuffer += chunk;
    const lines = this.stderrBuffer.split('\n');
    this.stderrBuffer = (lines.pop() ?? '').slice(-STDERR_TAIL_CHARS);
    for (const line of lines) if (line.trim() !== '') listener(line);
  }

  private onExit(reason: string): void {
    if (this.exitReason !== null) return;
    this.exitReason = reason;
    this.pending?.settle({ kind: 'exit', reason });
  }
}
