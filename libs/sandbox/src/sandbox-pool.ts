import { toSandboxErrorKind, type SandboxClient, type SandboxRunResult } from '@rstar/clients';
import type { sandboxV1 } from '@rstar/contracts';
import { venvPython } from '@rstar/workspace';
import { programKey, ResultCache } from './result-cache.js';
import { assertSandboxSetup, runtimeCommand, type RuntimeCommand } from './runtime-command.js';
import { RuntimeProcess, type RuntimeOutcome } from './runtime-process.js';
import { parseSandboxConfig, type SandboxConfig, type SandboxConfigInput } from './sandbox-config.js';
import { SandboxError } from './sandbox-error.js';

export interface SandboxLogger {
  warn(message: string): void;
}

export interface SandboxPoolOptions {
  /** Receives what runtimes write on stderr and why they were replaced. */
  logger?: SandboxLogger;
  /** Starts this instead of the launcher (a stand-in runtime speaking the same protocol, in tests). */
  command?: RuntimeCommand;
}

export interface SandboxPoolStats {
  size: number;
  /** Runtimes started and answering (idle or busy). */
  alive: number;
  busy: number;
  /** Runtimes being started (replacements). */
  starting: number;
  /** Programs waiting for a free runtime. */
  queued: number;
  /** Programs sent to a runtime. */
  runs: number;
  /** Answers from the cache, or shared with an identical program already running. */
  cacheHits: number;
  /** Runtimes killed and replaced (dead, hung, or broke the protocol). */
  restarts: number;
  cacheEntries: number;
}

/** A program waiting for, or running in, a runtime; identical programs share one job. */
interface Job {
  readonly key: string;
  readonly code: string;
  readonly promise: Promise<SandboxRunResult>;
  readonly resolve: (result: SandboxRunResult) => void;
  readonly reject: (error: Error) => void;
  waiters: number;
  started: boolean;
  /** Runtimes found dead when the program was handed to them. */
  unsent: number;
}

const READY_PROGRAM = "print('ready')";
const STOP_GRACE_MS = 2_000;
/** Dead runtimes a program may be handed to (it did not run) before it fails as internal. */
const MAX_UNSENT = 3;
/** Delays between attempts to start a replacement runtime after failures. */
const RESPAWN_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Runs programs in a pool of sandbox runtimes (apps/sandbox-runtime), each a warm Python fork server in
 * bubblewrap running one program at a time. Programs queue for a free runtime; identical programs are
 * answered from an LRU cache or share a run in progress. A runtime that dies, hangs past wall time +
 * grace, or breaks the protocol is killed and replaced; its program reports `timeout` or `internal`.
 */
export class SandboxPool implements SandboxClient {
  private readonly idle: RuntimeProcess[] = [];
  private readonly busy = new Set<RuntimeProcess>();
  private readonly starting = new Set<RuntimeProcess>();
  private readonly startAttempts = new Set<Promise<void>>();
  private readonly queue: Job[] = [];
  private readonly inflight = new Map<string, Job>();
  private readonly cache: ResultCache;
  private readonly counters = { runs: 0, cacheHits: 0, restarts: 0 };
  private respawnTimer: NodeJS.Timeout | null = null;
  private spawnFailures = 0;
  private nextId = 0;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly config: SandboxConfig,
    private readonly command: RuntimeCommand,
    private readonly logger: SandboxLogger | undefined,
  ) {
    this.cache = new ResultCache(config.cacheEntries, config.cacheMaxBytes);
  }

  /**
   * Validates the config, checks the machine (venv, bwrap), starts `size` runtimes and waits until each has
   * run a first program. Throws a SandboxError (`setup_missing`, `start_failed`) or a ZodError.
   */
  static async start(input: SandboxConfigInput = {}, options: SandboxPoolOptions = {}): Promise<SandboxPool> {
    const config = parseSandboxConfig(input);
    let command = options.command;
    if (!command) {
      const python = config.pythonPath ?? venvPython();
      assertSandboxSetup(python);
      command = runtimeCommand(config.isolation, python);
    }
    const pool = new SandboxPool(config, command, options.logger);
    const started = await Promise.allSettled(Array.from({ length: config.size }, () => pool.startRuntime()));
    for (const outcome of started) if (outcome.status === 'fulfilled') pool.idle.push(outcome.value);
    const failure = started.find((outcome) => outcome.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return pool;
  }

  async run(code: string, signal?: AbortSignal): Promise<SandboxRunResult> {
    if (this.closing) throw new SandboxError('closed', 'the sandbox pool is closed');
    signal?.throwIfAborted();
    const key = programKey(code);
    const hit = this.cache.get(key);
    if (hit) {
      this.counters.cacheHits++;
      return hit;
    }
    const running = this.inflight.get(key);
    const job = running ?? this.enqueue(key, code);
    job.waiters++;
    const result = await this.waitFor(job, signal);
    if (!running) return result;
    this.counters.cacheHits++;
    return { ...result, cached: true };
  }

  stats(): SandboxPoolStats {
    return {
      size: this.config.size,
      alive: this.idle.length + this.busy.size,
      busy: this.busy.size,
      starting: this.starting.size,
      queued: this.queue.length,
      ...this.counters,
      cacheEntries: this.cache.size,
    };
  }

  /** Ends every runtime (and so every process in the sandboxes); queued and running programs reject. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    for (const job of this.queue.splice(0)) {
      this.inflight.delete(job.key);
      job.reject(new SandboxError('closed', 'the sandbox pool was closed before the program ran'));
    }
    for (const runtime of [...this.busy, ...this.starting]) runtime.kill();
    const idle = this.idle.splice(0);
    await Promise.all([
      ...idle.map((runtime) => runtime.stop(STOP_GRACE_MS)),
      ...[...this.busy, ...this.starting].map((runtime) => runtime.exited),
      ...this.startAttempts,
    ]);
  }

  private enqueue(key: string, code: string): Job {
    let resolve!: (result: SandboxRunResult) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<SandboxRunResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every waiter may have gone (aborted); a rejection nobody awaits must not crash the process.
    promise.catch(() => undefined);
    const job: Job = { key, code, promise, resolve, reject, waiters: 0, started: false, unsent: 0 };
    this.inflight.set(key, job);
    this.queue.push(job);
    this.dispatch();
    return job;
  }

  private waitFor(job: Job, signal: AbortSignal | undefined): Promise<SandboxRunResult> {
    if (!signal) return job.promise;
    return new Promise<SandboxRunResult>((resolve, reject) => {
      const onAbort = (): void => {
        job.waiters--;
        // A program nobody waits for any more leaves the queue; one already running finishes and is cached.
        const reason = asError(signal.reason);
        if (job.waiters === 0 && !job.started) this.cancel(job, reason);
        reject(reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(asError(error));
        },
      );
    });
  }

  private cancel(job: Job, reason: Error): void {
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
    this.inflight.delete(job.key);
    job.reject(reason);
  }

  private dispatch(): void {
    if (this.closing) return;
    while (this.queue.length > 0 && this.idle.length > 0) {
      const runtime = this.idle.pop()!;
      if (!runtime.alive) continue; // its exit handler has not run yet; maintain() replaces it
      const job = this.queue.shift()!;
      void this.execute(runtime, job);
    }
    this.maintain();
  }

  private async execute(runtime: RuntimeProcess, job: Job): Promise<void> {
    job.started = true;
    this.busy.add(runtime);
    this.counters.runs++;
    const timeoutMs = this.config.limits.wallSeconds * 1000 + this.config.timeoutGraceMs;
    const started = performance.now();
    const outcome = await runtime.request(this.request(job.code), timeoutMs);
    this.busy.delete(runtime);
    if (outcome.kind === 'unsent' && !this.closing && ++job.unsent < MAX_UNSENT) {
      runtime.kill();
      this.counters.restarts++;
      job.started = false;
      this.queue.unshift(job); // it did not run: first in line for the next runtime
      this.dispatch();
      return;
    }
    this.inflight.delete(job.key);
    if (outcome.kind === 'reply') {
      const result = toRunResult(outcome.result);
      this.cache.set(job.key, result);
      job.resolve(result);
      if (this.closing) void runtime.stop(STOP_GRACE_MS);
      else this.idle.push(runtime);
    } else {
      runtime.kill();
      if (this.closing) {
        job.reject(new SandboxError('closed', 'the sandbox pool was closed while the program ran'));
        return;
      }
      this.counters.restarts++;
      const result = failedRun(outcome, timeoutMs, performance.now() - started);
      this.logger?.warn(`sandbox runtime ${runtime.pid ?? '?'} replaced: ${result.errorMessage}`);
      job.resolve(result);
    }
    this.dispatch();
  }

  private request(code: string): sandboxV1.RunRequest {
    this.nextId++;
    return { id: `run-${this.nextId}`, code, limits: this.config.limits };
  }

  /** Starts replacements until the pool is back to `size` (after backoff when starts keep failing). */
  private maintain(): void {
    if (this.closing || this.respawnTimer) return;
    const missing = this.config.size - (this.idle.length + this.busy.size + this.starting.size);
    for (let i = 0; i < missing; i++) {
      const attempt = this.startRuntime().then(
        (runtime) => {
          this.spawnFailures = 0;
          if (this.closing) runtime.kill();
          else this.idle.push(runtime);
        },
        (error: unknown) => this.onStartFailure(error),
      );
      this.startAttempts.add(attempt);
      void attempt.finally(() => {
        this.startAttempts.delete(attempt);
        this.dispatch();
      });
    }
  }

  private onStartFailure(error: unknown): void {
    if (this.closing) return;
    const message = error instanceof Error ? error.message : String(error);
    this.logger?.warn(message);
    this.spawnFailures++;
    const delay = RESPAWN_BACKOFF_MS[Math.min(this.spawnFailures, RESPAWN_BACKOFF_MS.length) - 1] ?? 0;
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      this.dispatch();
    }, delay);
    this.respawnTimer.unref();
    // With no runtime at all, waiting programs would wait for ever: they fail now, later ones retry.
    if (this.idle.length + this.busy.size + this.starting.size === 0) {
      for (const job of this.queue.splice(0)) {
        this.inflight.delete(job.key);
        job.resolve(internalResult(`no sandbox runtime is running: ${message}`, 0));
      }
    }
  }

  /** A runtime that died between programs (killed from outside) leaves the pool and is replaced. */
  private onIdleExit(runtime: RuntimeProcess): void {
    const index = this.idle.indexOf(runtime);
    if (index < 0 || this.closing) return;
    this.idle.splice(index, 1);
    this.counters.restarts++;
    this.logger?.warn(`sandbox runtime ${runtime.pid ?? '?'} exited while idle; replacing it`);
    this.dispatch();
  }

  /** Spawns a runtime and has it run a first program, which proves the whole sandbox works. */
  private async startRuntime(): Promise<RuntimeProcess> {
    const runtime = new RuntimeProcess(this.command, (line) => this.logger?.warn(`sandbox runtime: ${line}`));
    this.starting.add(runtime);
    try {
      const outcome = await runtime.request(
        { id: 'ready', code: READY_PROGRAM, limits: this.config.limits },
        this.config.startupTimeoutMs,
      );
      if (outcome.kind === 'reply' && outcome.result.ok && outcome.result.stdout === 'ready\n') {
        void runtime.exited.then(() => this.onIdleExit(runtime));
        return runtime;
      }
      runtime.kill();
      const why =
        outcome.kind === 'reply'
          ? `its first program failed: ${outcome.result.errorMessage}`
          : outcome.kind === 'timeout'
            ? `no answer within ${this.config.startupTimeoutMs} ms`
            : outcome.reason;
      throw new SandboxError('start_failed', `sandbox runtime did not start: ${why}`);
    } finally {
      this.starting.delete(runtime);
    }
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function toRunResult(result: sandboxV1.RunResult): SandboxRunResult {
  const errorKind = toSandboxErrorKind(result.errorKind);
  return {
    ok: result.ok && errorKind === null,
    stdout: result.stdout,
    errorKind,
    errorMessage: result.errorMessage,
    durationMs: result.durationMs,
    cached: false,
  };
}

function internalResult(message: string, durationMs: number): SandboxRunResult {
  return { ok: false, stdout: '', errorKind: 'internal', errorMessage: message, durationMs, cached: false };
}

/** The result of a program whose runtime failed under it (the runtime is then replaced). */
export function failedRun(
  outcome: Exclude<RuntimeOutcome, { kind: 'reply' }>,
  timeoutMs: number,
  durationMs: number,
): SandboxRunResult {
  switch (outcome.kind) {
    case 'timeout':
      return {
        ...internalResult(`the sandbox runtime did not answer within ${timeoutMs} ms`, durationMs),
        errorKind: 'timeout',
      };
    case 'exit':
    case 'unsent':
      return internalResult(`the sandbox runtime died (${outcome.reason})`, durationMs);
    case 'protocol':
      return internalResult(`the sandbox runtime broke the protocol (${outcome.reason})`, durationMs);
  }
}
