import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** How one request to the process ended. */
export type LineOutcome<Res> =
  | { kind: 'reply'; result: Res }
  | { kind: 'timeout' }
  | { kind: 'exit'; reason: string }
  /** Only with `strict`: the process wrote something other than the awaited reply (it is being killed). */
  | { kind: 'protocol'; reason: string }
  /** Only with `reportUnsent`. The process was dead before it could read the request: it did not run. */
  | { kind: 'unsent'; reason: string };

export interface JsonLineProcessOptions<Req, Res> {
  /** Names the owner in usage errors (`<name>: one request at a time`). */
  name: string;
  command: string;
  args: readonly string[];
  /** The request as a JSON value, written as one line. */
  encode: (request: Req) => unknown;
  /** A reply line's JSON object as a reply. */
  decode: (json: object) => Res;
  /** Names a reply in protocol errors (`not a <replyName>: ...`). */
  replyName?: string;
  /**
   * true: any line but the awaited reply (output without a request, not JSON, a wrong id, a line over
   * `maxLineChars`) settles the request as 'protocol' and kills the process. false: such lines are dropped.
   */
  strict?: boolean;
  /** true: a request the process could not read (dead already, EPIPE on write) settles 'unsent', not 'exit'. */
  reportUnsent?: boolean;
  /** The longest reply line accepted; a longer one is a protocol violation. */
  maxLineChars?: number;
  /** Append the last stderr line to a failed start's reason too (it is always appended to an exit's). */
  stderrOnStartError?: boolean;
  /** Receives each non-empty line the process writes on stderr. */
  onStderrLine?: (line: string) => void;
}

interface Pending<Res> {
  id: string;
  settle: (outcome: LineOutcome<Res>) => void;
}

const STDERR_TAIL_CHARS = 4096;

/**
 * A long-lived child process speaking one JSON object per line: writes request lines on stdin, matches reply
 * lines on stdout by `id`. One request at a time (the caller queues). Once it has exited it stays dead.
 */
export class JsonLineProcess<Req extends { id: string }, Res extends { id: string }> {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Pending<Res> | null = null;
  private stdoutParts: string[] = [];
  private stdoutLength = 0;
  private stderrBuffer = '';
  private stderrTail = '';
  private exitReason: string | null = null;
  readonly exited: Promise<void>;

  constructor(private readonly options: JsonLineProcessOptions<Req, Res>) {
    const { command, args } = options;
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A forgotten close() must not keep the Node process alive; pending requests hold their own timers.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    // Writes to a process that just died fail with EPIPE; its exit is reported through 'close' instead.
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => this.onStderr(chunk));
    this.exited = new Promise((resolve) => {
      // 'on', not 'once': a later 'error' (a failed kill) without a listener would throw.
      this.child.on('error', (err) => {
        const reason = `could not start ${command}: ${err.message}`;
        this.onExit(options.stderrOnStartError ? this.withStderr(reason) : reason);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.onExit(this.withStderr(signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`));
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

  /** The last non-empty line the process wrote on stderr (a traceback's message, say), or ''. */
  get lastStderrLine(): string {
    const lines = this.stderrTail.split('\n').filter((line) => line.trim() !== '');
    return lines.at(-1)?.trim() ?? '';
  }

  /** Sends one request; settles with its reply, at the deadline, or when the process dies (or misbehaves). */
  request(request: Req, timeoutMs: number): Promise<LineOutcome<Res>> {
    if (this.pending) throw new Error(`${this.options.name}: one request at a time`);
    if (this.exitReason !== null) {
      return Promise.resolve({ kind: this.options.reportUnsent ? 'unsent' : 'exit', reason: this.exitReason });
    }
    return new Promise<LineOutcome<Res>>((resolve) => {
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (outcome: LineOutcome<Res>): void => {
        clearTimeout(timer);
        this.pending = null;
        resolve(outcome);
      };
      this.pending = { id: request.id, settle };
      const line = `${JSON.stringify(this.options.encode(request))}\n`;
      if (!this.options.reportUnsent) {
        this.child.stdin.write(line);
        return;
      }
      this.child.stdin.write(line, (error) => {
        // EPIPE: the process's end of the pipe was already closed, so it never read the request.
        if (error && this.pending?.id === request.id) settle({ kind: 'unsent', reason: error.message });
      });
    });
  }

  /** Kills the process now (SIGKILL: one stuck in native code ignores anything gentler). */
  kill(): void {
    if (this.exitReason === null) this.child.kill('SIGKILL');
  }

  /** Ends the process gracefully (EOF on stdin), killing it if it has not gone within `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (this.exitReason !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
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
      if (this.stdoutLength > (this.options.maxLineChars ?? Infinity)) {
        // Dropped so that memory stays bounded; the rest of that line then fails as not JSON.
        this.stdoutParts = [];
        this.stdoutLength = 0;
        this.violation('reply line too long');
      }
    }
  }

  private onLine(line: string): void {
    const pending = this.pending;
    if (!pending) return this.violation('output without a request');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.violation(`not JSON: ${line.slice(0, 200)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return this.violation(`not a ${this.options.replyName ?? 'reply'}: ${line.slice(0, 200)}`);
    }
    const result = this.options.decode(parsed);
    if (result.id !== pending.id) return this.violation(`reply for ${result.id}, expected ${pending.id}`);
    pending.settle({ kind: 'reply', result });
  }

  private violation(reason: string): void {
    // Lenient: the line is dropped (a late reply to a request that timed out is one such line).
    if (!this.options.strict) return;
    this.pending?.settle({ kind: 'protocol', reason });
    this.kill();
  }

  private onStderr(chunk: string): void {
    this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    const listener = this.options.onStderrLine;
    if (!listener) return;
    this.stderrBuffer += chunk;
    const lines = this.stderrBuffer.split('\n');
    this.stderrBuffer = (lines.pop() ?? '').slice(-STDERR_TAIL_CHARS);
    for (const line of lines) if (line.trim() !== '') listener(line);
  }

  private withStderr(reason: string): string {
    const said = this.lastStderrLine;
    return said ? `${reason}: ${said}` : reason;
  }

  private onExit(reason: string): void {
    if (this.exitReason !== null) return;
    this.exitReason = reason;
    this.pending?.settle({ kind: 'exit', reason });
  }
}
