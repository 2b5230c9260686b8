import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { graderV1 } from '@rstar/contracts';

/** How one request to the worker ended. */
export type WorkerOutcome =
  | { kind: 'reply'; result: graderV1.GradeResult }
  | { kind: 'timeout' }
  | { kind: 'exit'; reason: string };

interface Pending {
  id: string;
  settle: (outcome: WorkerOutcome) => void;
}

const STDERR_TAIL_CHARS = 4096;

/**
 * One running `python -m rstar_grader.worker`: writes request lines, matches reply lines by id. One request
 * at a time (the worker is single-threaded; the caller queues). Once it has exited it stays dead.
 */
export class WorkerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Pending | null = null;
  private stderrTail = '';
  private exitReason: string | null = null;
  readonly exited: Promise<void>;

  constructor(pythonPath: string) {
    this.child = spawn(pythonPath, ['-m', 'rstar_grader.worker'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // A forgotten close() must not keep the Node process alive; pending requests hold their own timers.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    // Writes to a worker that just died fail with EPIPE; its exit is reported through 'exit' instead.
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      // 'on', not 'once': a later 'error' (a failed kill) without a listener would throw.
      this.child.on('error', (err) => {
        this.onExit(`could not start ${pythonPath}: ${err.message}`);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.onExit(signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`);
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

  /** The last non-empty line the worker wrote on stderr (a traceback's message), or ''. */
  get lastStderrLine(): string {
    const lines = this.stderrTail.split('\n').filter((l) => l.trim() !== '');
    return lines.at(-1)?.trim() ?? '';
  }

  /** Sends one request; settles on its reply, on the deadline, or when the worker dies. */
  request(request: graderV1.GradeRequest, timeoutMs: number): Promise<WorkerOutcome> {
    if (this.pending) throw new Error('WorkerProcess: one request at a time');
    if (this.exitReason !== null) return Promise.resolve({ kind: 'exit', reason: this.exitReason });
    return new Promise<WorkerOutcome>((resolve) => {
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      const settle = (outcome: WorkerOutcome): void => {
        clearTimeout(timer);
        this.pending = null;
        resolve(outcome);
      };
      this.pending = { id: request.id, settle };
      this.child.stdin.write(`${JSON.stringify(graderV1.GradeRequest.toJSON(request))}\n`);
    });
  }

  /** Kills the worker now (SIGKILL: a worker stuck in native code ignores anything gentler). */
  kill(): void {
    if (this.exitReason === null) this.child.kill('SIGKILL');
  }

  /** Ends the worker gracefully (EOF on stdin), killing it if it has not gone within `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (this.exitReason !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return; // not a protocol line; the worker keeps stray prints on stderr, so this should not happen
    }
    const result = graderV1.GradeResult.fromJSON(json);
    // A reply to anything but the request in flight is stale; drop it.
    if (this.pending && result.id === this.pending.id) this.pending.settle({ kind: 'reply', result });
  }

  private onExit(reason: string): void {
    if (this.exitReason !== null) return;
    const detail = this.lastStderrLine;
    this.exitReason = detail ? `${reason}: ${detail}` : reason;
    this.pending?.settle({ kind: 'exit', reason: this.exitReason });
  }
}
